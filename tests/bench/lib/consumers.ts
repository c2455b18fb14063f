// Driving the product's queue consumers from the bench: the provider-task worker handed SQS records
// of the messages a commit enqueued, and the webhook batch processor handed refund.updated events.
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { PaymentsDeps } from "@evently/core/payments/deps";
import type { QueueMessage } from "@evently/core/ports/queue";
import { runDueTasks } from "@evently/core/payments/provider-tasks";
import { processStripeBatch } from "@evently/core/webhooks";
import { taskConsumer, webhookConsumer } from "@evently/functions/consumers";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { toSqsRecord } from "@evently/local/queue/sqs-records";
import { runConcurrent } from "./load";
import { sleep } from "./stats";
import { tracePg } from "./pg-trace";
import { refundSucceededEvents, type RefundBooks } from "./refund-gateway";

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** The messages as SQS hands them to the worker: batches of the consumer's size, `workers` invocations at a time. */
export async function drainTasks(messages: readonly QueueMessage[], workers: number): Promise<number> {
  const { handler } = await import("@evently/functions/queue/provider-tasks");
  const now = Date.now();
  const records = messages.map((m, i) =>
    toSqsRecord(
      { data: { id: `bench-task-${i}`, body: m.body, attributes: {}, sentAt: now }, receiveCount: 1, firstReceivedAt: now },
      "provider-tasks",
      "us-east-1",
    ),
  );
  const batches = chunk(records, taskConsumer.batchSize);
  let failures = 0;
  const r = await runConcurrent(batches.length, workers, async (i) => {
    const event: SQSEvent = { Records: batches[i]! };
    const response = (await handler(event, lambdaContext(taskConsumer.name, taskConsumer.timeoutSeconds))) as SQSBatchResponse;
    failures += response.batchItemFailures.length;
  });
  return failures + r.failures;
}

/** refund.updated (succeeded) for every refund, in the webhook consumer's batches, `workers` at a time. */
export async function settleRefunds(deps: PaymentsDeps, refunds: ReturnType<RefundBooks["refunds"]>, workers: number): Promise<void> {
  const batches = chunk(refundSucceededEvents(refunds), webhookConsumer.batchSize);
  const r = await runConcurrent(batches.length, workers, async (i) => {
    const results = await processStripeBatch(deps, batches[i]!);
    const failed = results.find((x) => !x.ok);
    if (failed && !failed.ok) throw failed.error instanceof Error ? failed.error : new Error(String(failed.error));
  });
  if (r.failures > 0) throw new Error(`${r.failures} webhook batches failed`);
}

/** Runs `work` alone, timing it and counting every statement this process sends meanwhile. */
export async function counted<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; statements: number }> {
  let statements = 0;
  const stop = tracePg(() => statements++);
  const started = performance.now();
  try {
    const result = await work();
    return { result, ms: performance.now() - started, statements };
  } finally {
    stop();
  }
}

/**
 * The backstop, as the scheduled sweep runs it (core runDueTasks): tasks the worker left to back
 * off are run once due, until `pending()` finds none or `deadlineMs` has passed.
 */
export async function sweepUntilDone(
  deps: PaymentsDeps,
  pending: () => Promise<number>,
  deadlineMs: number,
): Promise<{ swept: number; left: number }> {
  const until = performance.now() + deadlineMs;
  let swept = 0;
  for (;;) {
    const left = await pending();
    if (left === 0 || performance.now() > until) return { swept, left };
    const ran = await runDueTasks(deps, { budgetMs: 10_000 });
    swept += ran.succeeded;
    // Nothing due yet: the rest are backing off; poll again shortly (bounded by the deadline above).
    if (ran.succeeded + ran.retried + ran.failed === 0) await sleep(250);
  }
}
