// The local event source mapping: pollers fetch batches from pg-boss, invoke the consumer with an
// SQS event and settle each message by the consumer's answer, as Lambda does for SQS.
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type PgBoss from "pg-boss";
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
  // Bumped by every local send: a poller whose fetch raced a send looks again instead of sleeping.
  let sends = 0;
  const sleepers = new Set<() => void>();
  // SQS remembers when a message was first received; pg-boss only knows the latest start.
  const firstReceived = new Map<string, number>();

  const wake = () => {
    sends++;
    for (const resume of sleepers) resume();
    sleepers.clear();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  async function deliver(jobs: Job[]) {
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
    await Promise.all([
      succeeded.length ? o.boss.complete(o.name, succeeded) : undefined,
      failed.length ? (o.boss.fail as FailMany)(o.name, failed, { message: reason }) : undefined,
    ]);
    for (const r of receipts) {
      const final = !failed.includes(r.data.id) || r.receiveCount > r.retryLimit;
      if (final) firstReceived.delete(r.data.id);
    }
  }

  async function loop() {
    while (!stopping) {
      try {
        const seen = sends;
        const jobs = await o.boss.fetch<MessageData>(o.name, { batchSize: o.batchSize, includeMetadata: true });
        if (jobs.length === 0) {
          if (seen === sends) await sleep(o.pollIntervalMs);
          continue;
        }
        if (jobs.length === o.batchSize) o.onFullBatch?.();
        // pg-boss picks the oldest jobs, but UPDATE … RETURNING loses their order: restore it.
        jobs.sort((x, y) => x.createdOn.getTime() - y.createdOn.getTime());
        inFlight += jobs.length;
        // Go straight back for more: under load the next batch is already waiting.
        await deliver(jobs).finally(() => (inFlight -= jobs.length));
      } catch (error) {
        // Unsettled messages stay active until their visibility timeout, then come back.
        o.onError(error);
        await sleep(o.pollIntervalMs);
      }
    }
  }

  const loops = Array.from({ length: o.concurrency }, () => loop());
  return {
    wake,
    inFlight: () => inFlight,
    async stop() {
      stopping = true;
      wake();
      await Promise.all(loops);
    },
  };
}
