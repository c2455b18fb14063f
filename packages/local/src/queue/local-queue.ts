// The local stand-in for SQS and Lambda's event source mapping: pg-boss on the same Postgres (own
// schema "pgboss") hands the consumer SQS-shaped batches, honours batchItemFailures, redelivers a
// failed message after the queue's visibility timeout (or a short backoff, for tests) and
// dead-letters it after `maxReceives` receives, like the AWS redrive policy. Batch size, receives,
// visibility and consumer timeout default to the deployed queue's own (infra/contracts.ts).
import { randomUUID } from "node:crypto";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import PgBoss from "pg-boss";
import type { Queue } from "@evently/core/ports/queue";
import { WEBHOOK_BATCH_SIZE, WEBHOOK_CONSUMER, WEBHOOK_MAX_RECEIVE_COUNT, WEBHOOK_VISIBILITY_SECONDS } from "../../../../infra/contracts";
import { lambdaContext } from "../server/apigw-event";
import { ensureFetchOrderIndex, statisticsRefresher } from "./fetch-plan";
import { createPoller } from "./poller";
import { createSender } from "./sender";
import type { MessageData } from "./sqs-records";

export type Consumer = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/**
 * A consumer whose module is imported on its first batch, like a Lambda cold start, and kept: a
 * dynamic import per batch goes through the module loader again (under tsx, a round trip to its
 * hooks thread) on every batch. A failed import is tried again on the next batch.
 */
export function lazyConsumer(load: () => Promise<{ handler: Consumer }>): Consumer {
  let module: Promise<{ handler: Consumer }> | undefined;
  return async (event, context) => {
    module ??= load().catch((error: unknown) => {
      module = undefined;
      throw error;
    });
    return (await module).handler(event, context);
  };
}

export interface Backoff {
  /** Wait before the next receive after a failure, in whole seconds (pg-boss's unit); 0 = at once. */
  delaySeconds: number;
  /** Double the wait on each further receive, with jitter (pg-boss `retryBackoff`; at least 1 s). */
  exponential: boolean;
}

export interface LocalQueueOptions {
  databaseUrl: string;
  name: string;
  consumer: Consumer;
  /** Records per batch (default: the deployed event source's). */
  batchSize?: number;
  /** Receives before a message moves to the dead-letter queue (default: the redrive policy's maxReceiveCount). */
  maxReceives?: number;
  /** How long a received message stays invisible (default: the deployed queue's visibility timeout). */
  visibilityTimeoutSeconds?: number;
  /**
   * Without it (AWS timing), a failed message comes back after the visibility timeout, as from
   * SQS. With it (fast mode, for tests), after this backoff instead.
   */
  backoff?: Partial<Backoff>;
  /** Batches in flight at once, like concurrent Lambda invocations (default 4). */
  concurrency?: number;
  /** How often an idle poller looks for work; a local send wakes pollers at once (default 200 ms). */
  pollIntervalMs?: number;
  /** A batch running longer counts as failed, like a Lambda timeout (default: the consumer's). */
  timeoutSeconds?: number;
  onError?: (error: unknown) => void;
}

export interface DeadLetter {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: number;
  /** What the last failed receive reported. */
  error: unknown;
  deadLetteredAt: Date;
}

export interface LocalQueue {
  name: string;
  deadLetterQueue: string;
  /** The port the webhook ingest sends to (functions/lib/queue setWebhookQueue). */
  queue: Queue;
  deadLetters(): Promise<DeadLetter[]>;
  /** Resolves once nothing is waiting, scheduled for retry or in flight; for tests and benchmarks. */
  idle(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

const SCHEMA = "pgboss";

export async function startLocalQueue(options: LocalQueueOptions): Promise<LocalQueue> {
  const {
    name,
    batchSize = WEBHOOK_BATCH_SIZE,
    maxReceives = WEBHOOK_MAX_RECEIVE_COUNT,
    timeoutSeconds = WEBHOOK_CONSUMER.timeoutSeconds,
    visibilityTimeoutSeconds = WEBHOOK_VISIBILITY_SECONDS,
  } = options;
  const backoff: Backoff = options.backoff
    ? { delaySeconds: 1, exponential: true, ...options.backoff }
    : { delaySeconds: visibilityTimeoutSeconds, exponential: false };
  const deadLetterQueue = `${name}-dlq`;
  const onError = options.onError ?? ((error: unknown) => console.error(`local queue ${name}:`, error));

  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: SCHEMA,
    // Each poller may settle completions and failures at once; sends share one connection.
    max: 2 * (options.concurrency ?? 4) + 2,
    schedule: false, // no cron here: the local scheduler uses croner
    maintenanceIntervalSeconds: 30, // returns batches abandoned by a crash (expired) to the queue
  });
  let stopping = false;
  // pg's pool ends clients without waiting for their sockets: a Postgres shutdown right after
  // stop() would report each of them as an error.
  boss.on("error", (error) => {
    if (!stopping) onError(error);
  });
  await boss.start();

  const policy = {
    name,
    // pg-boss counts retries after the first receive; it dead-letters when they are used up.
    retryLimit: maxReceives - 1,
    retryDelay: backoff.delaySeconds,
    retryBackoff: backoff.exponential,
    // A batch abandoned by a crash comes back once this passes (then after retryDelay, so in AWS
    // timing a crash costs two visibility timeouts here instead of one; failures cost one).
    expireInSeconds: visibilityTimeoutSeconds,
    deadLetter: deadLetterQueue,
  };
  await ensureFetchOrderIndex(boss, SCHEMA);
  await boss.createQueue(deadLetterQueue);
  await boss.createQueue(name, policy);
  // A kept local database may hold the queue from an earlier run with other settings.
  await boss.updateQueue(name, policy);

  const poller = createPoller({
    boss,
    name,
    batchSize,
    concurrency: options.concurrency ?? 4,
    pollIntervalMs: options.pollIntervalMs ?? 200,
    timeoutMs: timeoutSeconds * 1000,
    region: process.env.AWS_REGION ?? "us-east-1",
    onFullBatch: statisticsRefresher(boss, SCHEMA, name, onError),
    invoke: (event) => options.consumer(event, lambdaContext(`${name}-consumer`, timeoutSeconds)),
    onError,
  });

  const send = createSender(boss, name, poller.wake);
  const queue: Queue = {
    send: (message) => send({ id: randomUUID(), body: message.body, attributes: { ...message.attributes }, sentAt: Date.now() }),
  };

  return {
    name,
    deadLetterQueue,
    queue,
    async deadLetters() {
      // Dead letters stay in `job` until retention moves them to `archive`: read both.
      const { rows } = await boss.getDb().executeSql(
        `SELECT data, output, created_on FROM ${SCHEMA}.job WHERE name = $1
         UNION ALL SELECT data, output, created_on FROM ${SCHEMA}.archive WHERE name = $1
         ORDER BY created_on`,
        [deadLetterQueue],
      );
      return (rows as Array<{ data: MessageData; output: unknown; created_on: Date }>).map((row) => ({
        messageId: row.data.id,
        body: row.data.body,
        attributes: row.data.attributes,
        sentAt: row.data.sentAt,
        error: row.output,
        deadLetteredAt: row.created_on,
      }));
    },
    async idle({ timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const waiting = await boss.getQueueSize(name, { before: "completed" });
        if (waiting === 0 && poller.inFlight() === 0) return;
        if (Date.now() > deadline)
          throw new Error(`Queue ${name} not idle after ${timeoutMs} ms (${waiting} waiting, ${poller.inFlight()} in flight)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      stopping = true;
      await poller.stop();
      await boss.stop({ graceful: true, wait: true });
    },
  };
}
