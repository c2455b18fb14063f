// Many messages to one SQS queue as SendMessageBatch calls of ten (SQS's most per call), a few in
// flight: nudging the 10,000 messages of a cancelled event is 1,000 calls, not 10,000.
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import pLimit from "p-limit";
import type { QueueMessage } from "@evently/core/ports/queue";
import { traced } from "./tracing";
import { toAttributes } from "./sqs-queue";

/** SQS takes at most ten entries per SendMessageBatch. */
export const SQS_BATCH_SIZE = 10;
/** Calls in flight at once: enough to overlap round trips without flooding the socket pool. */
const IN_FLIGHT = 8;

export type BatchSender = (messages: readonly QueueMessage[]) => Promise<void>;

/**
 * Sends every message; an entry SQS refused, or a call that failed, does not stop the others.
 * Afterwards one error names how many were not queued, so the caller can fall back (for mail:
 * the relay job re-sends what was never nudged).
 */
export function createSqsBatchSender(queueUrl: string, client: SQSClient = traced(new SQSClient({}))): BatchSender {
  const limit = pLimit(IN_FLIGHT);
  return async (messages) => {
    const chunks: QueueMessage[][] = [];
    for (let i = 0; i < messages.length; i += SQS_BATCH_SIZE) chunks.push(messages.slice(i, i + SQS_BATCH_SIZE));
    const results = await Promise.allSettled(
      chunks.map((chunk) =>
        limit(async () => {
          const out = await client.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map((m, i) => {
                const attributes = toAttributes(m.attributes);
                return { Id: `m${i}`, MessageBody: m.body, ...(attributes ? { MessageAttributes: attributes } : {}) };
              }),
            }),
          );
          return out.Failed?.length ?? 0;
        }),
      ),
    );
    const unsent = results.reduce((n, r, i) => n + (r.status === "fulfilled" ? r.value : chunks[i]!.length), 0);
    if (unsent > 0) {
      const firstError = results.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason;
      throw new Error(`${unsent} of ${messages.length} messages were not queued`, { cause: firstError });
    }
  };
}
