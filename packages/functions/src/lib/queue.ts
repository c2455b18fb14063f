// Which queue the webhook ingest writes to: SQS when WEBHOOK_QUEUE_URL is set (AWS), otherwise the
// adapter the local runtime registers (pg-boss). One SQS client per container.
import type { Queue } from "@evently/core/ports/queue";

let registered: Queue | undefined;
let sqs: { url: string; queue: Queue } | undefined;

/** The local runtime (or a test) hands in its queue; `undefined` unregisters it. */
export function setWebhookQueue(queue: Queue | undefined): void {
  registered = queue;
}

// The SDK is loaded on first send only, so the local runtime never pays for it.
export function lazySqsQueue(url: string): Queue {
  let loaded: Promise<Queue> | undefined;
  return {
    async send(message) {
      loaded ??= import("./sqs-queue").then(({ createSqsQueue }) => createSqsQueue(url));
      await (await loaded).send(message);
    },
  };
}

export function getWebhookQueue(): Queue {
  const url = process.env.WEBHOOK_QUEUE_URL;
  if (url) {
    if (sqs?.url !== url) sqs = { url, queue: lazySqsQueue(url) };
    return sqs.queue;
  }
  if (registered) return registered;
  throw new Error("No webhook queue: set WEBHOOK_QUEUE_URL, or start the local queue (which calls setWebhookQueue)");
}
