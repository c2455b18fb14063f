// Ambient transactions: nested calls join the open transaction; side effects registered with
// `afterCommit` (Stripe calls, enqueues) run only once the outermost transaction has committed.
import { AsyncLocalStorage } from "node:async_hooks";
import { sql, type Transaction } from "kysely";
import { budgetMs, currentDeadline } from "../shared/deadline";
import type { Database } from "./database";
import type { Db } from "./client";

export type Trx = Transaction<Database>;
type Effect = () => unknown | Promise<unknown>;

interface Ambient {
  trx: Trx;
  effects: Effect[];
}

const storage = new AsyncLocalStorage<Ambient>();

const DEADLOCK = "40P01";
const MAX_ATTEMPTS = 3;
/** The most one transaction's statements and lock waits may take, however long the invocation. */
const TRANSACTION_CAP_MS = 30_000;
/** Kept back after the transaction: the commit, after-commit effects and the answer. */
const TRANSACTION_RESERVE_MS = 750;

/**
 * Within an invocation, how long one transaction's statements may run and its lock waits last:
 * the server cancels them (57014 / 55P03, a 503) while the function can still answer. A lock wait
 * gives up a little earlier, so the log says "lock timeout" rather than "canceled". Undefined
 * outside an invocation (the session defaults apply).
 */
export function transactionBudget(): { statementMs: number; lockMs: number } | undefined {
  if (currentDeadline() === undefined) return undefined;
  const statementMs = budgetMs({ reserveMs: TRANSACTION_RESERVE_MS, capMs: TRANSACTION_CAP_MS, what: "the database work" });
  return { statementMs, lockMs: Math.max(1, Math.floor(statementMs * 0.8)) };
}

/** Transaction-local (`set_config(…, true)`), so the pooled connection keeps its session defaults afterwards. */
async function applyBudget(trx: Trx): Promise<void> {
  const budget = transactionBudget();
  if (!budget) return;
  await sql`select set_config('statement_timeout', ${`${budget.statementMs}ms`}, true), set_config('lock_timeout', ${`${budget.lockMs}ms`}, true)`.execute(
    trx,
  );
}

/**
 * Runs `fn` in the ambient transaction, or in a new one whose effects run after it commits.
 * Paths that must lock rows in different orders (e.g. a hold expiring while its event is being
 * cancelled) can deadlock; PostgreSQL aborts one side, which is then run again from the start:
 * safe, because nothing but database work happens before commit.
 */
export async function useTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  const ambient = storage.getStore();
  if (ambient) return fn(ambient.trx);
  const effects: Effect[] = [];
  const result = await retryOnDeadlock(() => {
    effects.length = 0;
    return db.transaction().execute(async (trx) => {
      await applyBudget(trx);
      return storage.run({ trx, effects }, () => fn(trx));
    });
  });
  // Outside the retry: a committed transaction's effects run once, whatever they throw.
  for (const effect of effects) await effect();
  return result;
}

/**
 * Runs `work` again, up to MAX_ATTEMPTS in all, while PostgreSQL aborts it as a deadlock victim.
 * Only for work that is nothing but database work until it commits (a rolled-back attempt left no trace).
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || (error as { code?: unknown } | null)?.code !== DEADLOCK) throw error;
    }
  }
}

/** Registers a side effect for after commit; outside a transaction it runs at once. */
export async function afterCommit(effect: Effect): Promise<void> {
  const ambient = storage.getStore();
  if (ambient) ambient.effects.push(effect);
  else await effect();
}

/** True while running inside `useTransaction`. */
export const inTransaction = (): boolean => storage.getStore() !== undefined;
