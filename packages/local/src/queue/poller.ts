// The local event source mapping: pollers fetch batches from pg-boss, invoke the consumer with an
// SQS event and settle each message by the consumer's answer, as Lambda does for SQS.
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type PgBoss from "pg-boss";
import { createWakeups } from "./wakeups";
import { toSqsRecord, type MessageData } from "./sqs-records";

interface PollerOptions {
  boss: PgBoss;
  name: string;
  batchSize: number;
  concurrency: number;
  pollIntervalMs: number;
  timeoutMs: number;
  region: string;
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  /** Called when a fetch came back full: a backlog is building up. */
  onFullBatch?: () => void;
  onError: (error: unknown) => void;
}

type Job = PgBoss.JobWithMetadata<MessageData>;
// pg-boss 10 takes output data with a list of ids too; its typings only declare it for one id.
type FailMany = (name: string, ids: string[], data: object) => Promise<unknown>;

/**
 * Which messages failed. Lambda's rules: no response or no failures = all succeeded; an
 * identifier that names no message of the batch fails the whole batch.
 */
export function failedMessageIds(response: SQSBatchResponse | void, ids: readonly string[]): string[] {
  const failures = response?.batchItemFailures ?? [];
  if (failures.some((f) => !f.itemIdentifier || !ids.includes(f.itemIdentifier))) return [...ids];
  return ids.filter((id) => failures.some((f) => f.itemIdentifier === id));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Consumer timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createPoller(o: PollerOptions) {
  let stopping = false;
  let inFlight = 0;
  const wakeups = createWakeups();
  // SQS remembers when a message was first received; pg-boss only knows the latest start.
  const firstReceived = new Map<string, number>();

  /** Invokes the consumer with the batch; returns its settlement, which runs while the poller fetches again. */
  async function deliver(jobs: Job[]): Promise<() => Promise<void>> {
    const now = Date.now();
    const receipts = jobs.map((job) => {
      const firstReceivedAt = firstReceived.get(job.id) ?? now;
      firstReceived.set(job.id, firstReceivedAt);
      // pg-boss bumps retryCount on every fetch after the first: receive n has retryCount n - 1.
      return { data: job.data, receiveCount: job.retryCount + 1, firstReceivedAt, retryLimit: job.retryLimit };
    });
    const ids = jobs.map((job) => job.id);
    let failed: string[];
    let error: unknown;
    try {
      const response = await withTimeout(o.invoke({ Records: receipts.map((r) => toSqsRecord(r, o.name, o.region)) }), o.timeoutMs);
      failed = failedMessageIds(response, ids);
    } catch (thrown) {
      // The invocation failed as a whole: every message of the batch becomes visible again.
      failed = ids;
      error = thrown;
    }
    const succeeded = ids.filter((id) => !failed.includes(id));
    const reason = error instanceof Error ? error.message : error === undefined ? "reported in batchItemFailures" : String(error);
    return async () => {
      await Promise.all([
        succeeded.length ? o.boss.complete(o.name, succeeded) : undefined,
        failed.length ? (o.boss.fail as FailMany)(o.name, failed, { message: reason }) : undefined,
      ]);
      for (const r of receipts) {
        const final = !failed.includes(r.data.id) || r.receiveCount > r.retryLimit;
        if (final) firstReceived.delete(r.data.id);
      }
    };
  }

  async function loop() {
    // This poller's previous batch, still being settled: at most one at a time, so settles never pile up.
    let settling: Promise<void> = Promise.resolve();
    while (!stopping) {
      try {
        const seen = wakeups.sends();
        const jobs = await o.boss.fetch<MessageData>(o.name, { batchSize: o.batchSize, includeMetadata: true });
        if (jobs.length === 0) {
          if (seen === wakeups.sends()) await wakeups.idle(o.pollIntervalMs);
          continue;
        }
        if (jobs.length === o.batchSize) {
          o.onFullBatch?.();
          // A backlog: bring in a parked poller, as Lambda adds concurrent batches while the queue is deep.
          wakeups.wakeOne();
        }
        // pg-boss picks the oldest jobs, but UPDATE … RETURNING loses their order: restore it.
        jobs.sort((x, y) => x.createdOn.getTime() - y.createdOn.getTime());
        inFlight += jobs.length;
        const settle = await deliver(jobs).catch((error: unknown) => {
          inFlight -= jobs.length;
          throw error;
        });
        await settling;
        // Settled while this poller fetches its next batch: one round trip less between batches.
        // Until then the messages stay active (invisible) and count as in flight.
        settling = settle()
          .catch(o.onError) // unsettled messages stay active until their visibility timeout, then come back
          .finally(() => (inFlight -= jobs.length));
      } catch (error) {
        o.onError(error);
        await wakeups.sleep(o.pollIntervalMs);
      }
    }
    await settling;
  }

  const loops = Array.from({ length: o.concurrency }, () => loop());
  return {
    /** A local send committed: pollers look at once instead of waiting for their next poll. */
    wake: wakeups.wakeAll,
    inFlight: () => inFlight,
    async stop() {
      stopping = true;
      wakeups.wakeAll();
      await Promise.all(loops);
    },
  };
}
