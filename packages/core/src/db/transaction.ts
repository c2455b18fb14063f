// Ambient transactions: nested calls join the open transaction; side effects registered with
// `afterCommit` (Stripe calls, enqueues) run only once the outermost transaction has committed.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Transaction } from "kysely";
import type { Database } from "./database";
import type { Db } from "./client";

export type Trx = Transaction<Database>;
type Effect = () => unknown | Promise<unknown>;

interface Ambient {
  trx: Trx;
  effects: Effect[];
}

const storage = new AsyncLocalStorage<Ambient>();

/** Runs `fn` in the ambient transaction, or in a new one whose effects run after it commits. */
export async function useTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  const ambient = storage.getStore();
  if (ambient) return fn(ambient.trx);
  const effects: Effect[] = [];
  const result = await db.transaction().execute((trx) => storage.run({ trx, effects }, () => fn(trx)));
  for (const effect of effects) await effect();
  return result;
}

/** Registers a side effect for after commit; outside a transaction it runs at once. */
export async function afterCommit(effect: Effect): Promise<void> {
  const ambient = storage.getStore();
  if (ambient) ambient.effects.push(effect);
  else await effect();
}

/** True while running inside `useTransaction`. */
export const inTransaction = (): boolean => storage.getStore() !== undefined;
