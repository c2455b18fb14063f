// Exponential backoff with jitter, for anything retried later (provider tasks, deadlocks).

export interface BackoffPolicy {
  /** Delay before the second attempt; each later one doubles it. */
  baseMs: number;
  /** No delay grows past this. */
  capMs: number;
}

/**
 * The delay after failed attempt number `attempt` (1-based): half of the exponential step fixed,
 * half random ("equal jitter"), so many callers failing together spread out instead of retrying
 * in lockstep, yet none retries sooner than half its step.
 */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
