// Per-request time limits for Stripe calls, taken from the invocation's remaining time, and the
// classification of Stripe's failures into the port's ProviderError.
import type Stripe from "stripe";
import { budgetMs, DeadlineExceeded, remainingMs } from "@evently/core/shared/deadline";
import { ProviderError, type ProviderFailure } from "@evently/core/ports/payment-gateway";

/** The longest one Stripe call may take, retries included, however much time is left. */
export const STRIPE_CALL_CAP_MS = 8_000;
/** Kept back after a Stripe call: the transaction that records its result, and the answer. */
export const STRIPE_RESERVE_MS = 1_500;
/** An attempt shorter than this is not worth a retry; Stripe answers most calls well within it. */
const MIN_ATTEMPT_MS = 2_000;
/** The SDK waits about 0.5–1 s before its first retry (more if Stripe sends Retry-After). */
const RETRY_PAUSE_MS = 1_000;

export interface StripeRequestBudget {
  timeout: number;
  maxNetworkRetries: number;
}

/**
 * Splits the budget into attempts: two when both fit at MIN_ATTEMPT_MS each plus the SDK's pause,
 * else one attempt with all of it. Stripe retries only what is safe (connection errors, 409 lock
 * timeouts, 429, 5xx), always with the same idempotency key.
 */
export function stripeRequestBudget(what: string): StripeRequestBudget {
  const total = budgetMs({ reserveMs: STRIPE_RESERVE_MS, capMs: STRIPE_CALL_CAP_MS, what });
  if (total >= 2 * MIN_ATTEMPT_MS + RETRY_PAUSE_MS) return { timeout: Math.floor((total - RETRY_PAUSE_MS) / 2), maxNetworkRetries: 1 };
  return { timeout: total, maxNetworkRetries: 0 };
}

function failureOf(error: Stripe.errors.StripeError | { type?: string; statusCode?: number; code?: string }): ProviderFailure {
  const status = error.statusCode;
  switch (error.type) {
    case "StripeConnectionError":
      // The SDK reports its own timeout as a connection error whose message says so.
      return /timed? ?out/i.test((error as Error).message ?? "") ? "timeout" : "connection";
    case "StripeRateLimitError":
      return "rate_limited";
    case "StripeAPIError":
      return "provider_unavailable";
    case "StripeCardError":
      return "card_error";
    case "StripeAuthenticationError":
    case "StripePermissionError":
      return "authentication";
    case "StripeIdempotencyError":
      return "idempotency_conflict";
    default:
      if (status === 429) return "rate_limited";
      if (status === undefined || status >= 500) return "provider_unavailable";
      return "invalid_request";
  }
}

/** Turns whatever a Stripe call threw into a ProviderError (or DeadlineExceeded when our time ran out). */
export function classifyStripeError(error: unknown, what: string): ProviderError | DeadlineExceeded {
  if (error instanceof ProviderError || error instanceof DeadlineExceeded) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as { type?: string; statusCode?: number };
  const failure = failureOf(e);
  // A timeout with nothing left to wait for was our budget, not the provider's fault: 503, not 502.
  if ((failure === "timeout" || failure === "connection") && remainingMs() <= STRIPE_RESERVE_MS) return new DeadlineExceeded(what, error);
  return new ProviderError(failure, error, e.statusCode);
}

/** Runs one Stripe request with a budgeted timeout and retry count; failures come out classified. */
export async function budgetedStripeCall<T>(what: string, call: (options: StripeRequestBudget) => Promise<T>): Promise<T> {
  const options = stripeRequestBudget(what);
  try {
    return await call(options);
  } catch (error) {
    throw classifyStripeError(error, what);
  }
}
