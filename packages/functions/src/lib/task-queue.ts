// Where provider tasks go after commit for the worker: SQS when PROVIDER_TASK_QUEUE_URL is set
// (AWS), otherwise the queue the local runtime registers; none at all is fine (the sweep runs them).
import type { Queue } from "@evently/core/ports/queue";
import { lazySqsQueue } from "./queue";

let registered: Queue | undefined;
let sqs: { url: string; queue: Queue } | undefined;

export function setTaskQueue(queue: Queue | undefined): void {
  registered = queue;
}

export function getTaskQueue(): Queue | undefined {
  const url = process.env.PROVIDER_TASK_QUEUE_URL;
  if (!url) return registered;
  if (sqs?.url !== url) sqs = { url, queue: lazySqsQueue(url) };
  return sqs.queue;
}
