// The current invocation's deadline, carried through async calls so every call out (Stripe, the
// database's pool wait, lock and statement timeouts) can take its budget from the time that is left.
import { AsyncLocalStorage } from "node:async_hooks";
import { DomainError } from "../errors";

interface Invocation {
  /** Epoch milliseconds at which the platform stops the invocation. */
  deadline: number;
}

const storage = new AsyncLocalStorage<Invocation>();

/** Time kept back from every budget so the function can still record a failure and answer. */
export const DEFAULT_RESERVE_MS = 500;
/** Below this a call out is not worth starting: it could only time out. */
export const MIN_BUDGET_MS = 50;

/** Our own time ran out before the work could finish: the caller may retry (503 `service_unavailable`). */
export class DeadlineExceeded extends DomainError {
  /** Always worth retrying: the next invocation starts with a full budget. */
  readonly retryable = true;
  constructor(what: string, cause?: unknown) {
    super("service_unavailable", `The service could not finish ${what} in time; retry the request`, {}, cause);
  }
}

/** Runs `fn` with the invocation deadline set to `deadline` (epoch ms); nested calls see it. */
export function withDeadline<T>(deadline: number, fn: () => T): T {
  return storage.run({ deadline }, fn);
}

/** Runs `fn` under the deadline a Lambda(-like) context reports, if it reports one. */
export function withContextDeadline<T>(context: { getRemainingTimeInMillis?: () => number } | undefined, fn: () => T): T {
  const remaining = context?.getRemainingTimeInMillis?.();
  return typeof remaining === "number" && Number.isFinite(remaining) ? withDeadline(Date.now() + remaining, fn) : fn();
}

/** Epoch ms of the current deadline, or undefined outside an invocation (tests, CLIs). */
export const currentDeadline = (): number | undefined => storage.getStore()?.deadline;

/** Milliseconds left in this invocation; Infinity outside one. */
export function remainingMs(): number {
  const deadline = currentDeadline();
  return deadline === undefined ? Infinity : Math.max(0, deadline - Date.now());
}

export interface BudgetOptions {
  /** Kept back for what must happen after the call (recording its result, answering). */
  reserveMs?: number;
  /** The most this call may take even with time to spare (also the budget outside an invocation). */
  capMs: number;
  /** What is being budgeted, for the error message. */
  what?: string;
}

/**
 * How long the next call out may take: the time left minus the reserve, at most `capMs`.
 * Throws DeadlineExceeded when less than MIN_BUDGET_MS would remain, instead of starting a call
 * that can only be cut off.
 */
export function budgetMs({ reserveMs = DEFAULT_RESERVE_MS, capMs, what = "the request" }: BudgetOptions): number {
  const budget = Math.min(capMs, remainingMs() - reserveMs);
  if (budget < MIN_BUDGET_MS) throw new DeadlineExceeded(what);
  return Math.floor(budget);
}
