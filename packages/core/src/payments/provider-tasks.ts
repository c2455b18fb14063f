// Provider work as tasks (docs/RELIABILITY.md): a call to the payment provider that follows a
// commit is a `provider_tasks` row written in that commit. Whoever gets to it first carries it
// out — the request right after commit, the queue worker, or the sweep — under a lease, with our
// deterministic provider idempotency key, so running a task twice is harmless. Failures back off;
// a task that fails for good is marked `failed`, which payment health reports and an alarm watches.
import { sql } from "kysely";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import { backoffMs } from "../shared/backoff";
import { remainingMs } from "../shared/deadline";
import { failpoint } from "../shared/failpoints";
import type { PaymentsDeps } from "./deps";
import type { ProviderTask, ProviderTaskKind } from "./payments.table";
import { failTask, performTask, type AttemptedTask } from "./provider-work";

/** Attempts before a task is given up on (about 50 minutes of backoff). */
export const MAX_ATTEMPTS = 10;
const BACKOFF = { baseMs: 5_000, capMs: 15 * 60_000 };
/** Longer than any one attempt can take (the longest function time limit), shorter than a retry's patience. */
const LEASE_SECONDS = 60;

/**
 * An attempt cannot outlive its invocation, so its lease ends with it: a request that died after
 * taking the task frees it when its Idempotency-Key lease runs out, and the retry finishes it
 * instead of answering 502 for a minute (tests/integration/faults/crash-faults.test.ts).
 */
export const taskLeaseSeconds = (): number => {
  const left = remainingMs();
  // Not rounded up: the key's lease (taken earlier, in whole seconds) must not end before this one.
  return Number.isFinite(left) ? Math.min(LEASE_SECONDS, left / 1000 + 1) : LEASE_SECONDS;
};

export interface NewTask {
  kind: ProviderTaskKind;
  paymentId: string;
  refundId?: string | null;
}

/** Records tasks in the caller's transaction; recording the same work twice returns the existing task. */
export async function recordTasks(trx: Trx, tasks: readonly NewTask[]): Promise<string[]> {
  if (tasks.length === 0) return [];
  const rows = await trx
    .insertInto("providerTasks")
    .values(tasks.map((t) => ({ kind: t.kind, paymentId: t.paymentId, refundId: t.refundId ?? null })))
    // DO UPDATE (a no-op) rather than DO NOTHING so the existing task's id comes back.
    .onConflict((oc) => oc.constraint("provider_tasks_work_key").doUpdateSet({ kind: sql`provider_tasks.kind` }))
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}

export type TaskResult = { status: "succeeded" | "failed"; outcome: string } | { status: "retry"; error: unknown } | { status: "busy" };

/** Takes the task's lease if it is pending and nobody holds it; counts the attempt. */
async function lease(db: Db, id: string): Promise<ProviderTask | undefined> {
  return db
    .updateTable("providerTasks")
    .set({ attempts: sql`attempts + 1`, lockedUntil: sql`now() + make_interval(secs => ${taskLeaseSeconds()})` })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .where((eb) => eb.or([eb("lockedUntil", "is", null), eb("lockedUntil", "<", sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

/** Whether trying again later can help: yes unless the error says it is the request itself. */
const retryable = (error: unknown): boolean => (error as { retryable?: unknown } | null)?.retryable !== false;

const describe = (error: unknown): string => {
  const e = error as { name?: unknown; code?: unknown } | null;
  return [e?.name, e?.code].filter((part) => typeof part === "string" && part).join(": ") || "error";
};

/** Runs one task now if it is free. Never throws for the provider's sake: the result says what happened. */
export async function runTask(deps: PaymentsDeps, id: string): Promise<TaskResult> {
  const task = await lease(deps.db, id);
  if (!task) return { status: "busy" };
  let outcome: string;
  try {
    outcome = await performTask(deps, task);
  } catch (error) {
    return attemptFailed(deps, task, error);
  }
  await deps.db
    .updateTable("providerTasks")
    .set({ status: "succeeded", outcome, lockedUntil: null, completedAt: sql`now()` })
    .where("id", "=", id)
    .execute();
  await failpoint("task.after-record");
  return { status: "succeeded", outcome };
}

/**
 * An attempt on a leased task failed: it backs off and frees its lease for the next attempt, or
 * fails for good when the error says retrying cannot help or the attempts are spent.
 */
export async function attemptFailed(deps: PaymentsDeps, task: AttemptedTask, error: unknown): Promise<TaskResult> {
  if (retryable(error) && task.attempts < MAX_ATTEMPTS) {
    const delay = backoffMs(task.attempts, BACKOFF);
    await deps.db
      .updateTable("providerTasks")
      .set({ lockedUntil: null, lastError: describe(error), nextAttemptAt: sql`now() + make_interval(secs => ${delay / 1000})` })
      .where("id", "=", task.id)
      .execute();
    return { status: "retry", error };
  }
  const reason = `${describe(error)} after ${task.attempts} attempt(s)`;
  return { status: "failed", outcome: await failTask(deps, task, reason) };
}

export interface SweepCounts {
  succeeded: number;
  retried: number;
  failed: number;
  /** Due tasks left for the next run because the time budget ran out. */
  moreRemaining: boolean;
}

/**
 * Runs due tasks, oldest first, `concurrency` at a time, until none is due or the time budget is
 * spent. Concurrent sweeps and workers share the work through the leases.
 */
export async function runDueTasks(
  deps: PaymentsDeps,
  options: { budgetMs: number; concurrency?: number; batchSize?: number },
): Promise<SweepCounts> {
  const started = Date.now();
  const counts: SweepCounts = { succeeded: 0, retried: 0, failed: 0, moreRemaining: false };
  const seen = new Set<string>();
  for (;;) {
    if (Date.now() - started >= options.budgetMs) {
      counts.moreRemaining = true;
      return counts;
    }
    const due = await deps.db
      .selectFrom("providerTasks")
      .select("id")
      .where("status", "=", "pending")
      .where("nextAttemptAt", "<=", sql<Date>`now()`)
      .where((eb) => eb.or([eb("lockedUntil", "is", null), eb("lockedUntil", "<", sql<Date>`now()`)]))
      .orderBy("nextAttemptAt")
      .limit(options.batchSize ?? 100)
      .execute();
    const fresh = due.map((t) => t.id).filter((id) => !seen.has(id));
    if (fresh.length === 0) return counts;
    for (const id of fresh) seen.add(id);
    await inParallel(fresh, options.concurrency ?? 8, async (id) => {
      if (Date.now() - started >= options.budgetMs) return;
      const result = await runTask(deps, id);
      if (result.status === "succeeded") counts.succeeded++;
      else if (result.status === "retry") counts.retried++;
      else if (result.status === "failed") counts.failed++;
    });
  }
}

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  });
  await Promise.all(lanes);
}

/**
 * After commit: one task is tried at once (the caller is waiting for its effect); anything not
 * done is handed to the worker queue. Nothing here fails the caller — the sweep is the backstop.
 */
export async function dispatchTasks(deps: PaymentsDeps, ids: readonly string[], options: { tryNow: boolean }): Promise<void> {
  let left = [...ids];
  if (options.tryNow) {
    const results = await Promise.all(left.map((id) => runTask(deps, id).catch((error: unknown) => ({ status: "retry" as const, error }))));
    left = left.filter((_, i) => results[i]?.status === "retry");
  }
  if (left.length === 0 || !deps.taskQueue) return;
  await enqueueTasks(deps, left).catch(() => undefined);
}

/** Tries the payment's pending tasks now (a redelivered webhook whose first run died after commit). */
export async function dispatchPendingTasks(deps: PaymentsDeps, paymentId: string): Promise<void> {
  const pending = await deps.db
    .selectFrom("providerTasks")
    .select("id")
    .where("paymentId", "=", paymentId)
    .where("status", "=", "pending")
    .execute();
  await dispatchTasks(
    deps,
    pending.map((t) => t.id),
    { tryNow: true },
  );
}

/** Messages carry up to this many task ids; a worker runs each message's tasks in parallel. */
const IDS_PER_MESSAGE = 50;

export async function enqueueTasks(deps: PaymentsDeps, ids: readonly string[]): Promise<void> {
  const queue = deps.taskQueue;
  if (!queue) return;
  for (let i = 0; i < ids.length; i += IDS_PER_MESSAGE) {
    await queue.send({ body: JSON.stringify({ taskIds: ids.slice(i, i + IDS_PER_MESSAGE) }) });
  }
}

/** Counts for payment health: tasks that failed for good, and pending ones past due. */
export async function taskHealth(db: Db): Promise<{ failed: number; overdue: number }> {
  const row = await db
    .selectFrom("providerTasks")
    .select([
      sql<number>`count(*) FILTER (WHERE status = 'failed')::int`.as("failed"),
      sql<number>`count(*) FILTER (WHERE status = 'pending' AND next_attempt_at < now() - interval '5 minutes')::int`.as("overdue"),
    ])
    .executeTakeFirstOrThrow();
  return row;
}
