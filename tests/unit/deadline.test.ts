// Budgets from the invocation's deadline: what a call out may take, and when it must not start.
import { describe, expect, it } from "vitest";
import { budgetMs, currentDeadline, DeadlineExceeded, remainingMs, withContextDeadline, withDeadline } from "@evently/core/shared/deadline";
import { classifyStripeError, STRIPE_CALL_CAP_MS, stripeRequestBudget } from "@evently/functions/lib/stripe-budget";

describe("deadline", () => {
  it("outside an invocation there is no deadline and a budget is its cap", () => {
    expect(currentDeadline()).toBeUndefined();
    expect(remainingMs()).toBe(Infinity);
    expect(budgetMs({ capMs: 1234 })).toBe(1234);
  });

  it("inside one, a budget is what is left minus the reserve, at most the cap, and follows async calls", async () => {
    await withDeadline(Date.now() + 5_000, async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const budget = budgetMs({ reserveMs: 1_000, capMs: 60_000 });
      expect(budget).toBeGreaterThan(3_900);
      expect(budget).toBeLessThanOrEqual(4_000);
      expect(budgetMs({ reserveMs: 1_000, capMs: 2_000 })).toBe(2_000);
    });
  });

  it("refuses to start a call that could only be cut off", () => {
    withDeadline(Date.now() + 600, () => {
      expect(() => budgetMs({ reserveMs: 1_000, capMs: 5_000, what: "the refund" })).toThrow(DeadlineExceeded);
      expect(() => budgetMs({ reserveMs: 1_000, capMs: 5_000, what: "the refund" })).toThrow(/the refund/);
    });
  });

  it("takes the deadline from a Lambda context", () => {
    withContextDeadline({ getRemainingTimeInMillis: () => 3_000 }, () => {
      expect(remainingMs()).toBeGreaterThan(2_900);
      expect(remainingMs()).toBeLessThanOrEqual(3_000);
    });
    withContextDeadline({}, () => expect(currentDeadline()).toBeUndefined());
  });
});

describe("Stripe request budgets", () => {
  it("a call without a deadline gets the cap, split into two attempts", () => {
    const { timeout, maxNetworkRetries } = stripeRequestBudget("x");
    expect(maxNetworkRetries).toBe(1);
    expect(2 * timeout).toBeLessThanOrEqual(STRIPE_CALL_CAP_MS);
  });

  it("within a 10 s route, all attempts and the SDK's pause end before the function must answer", () => {
    withDeadline(Date.now() + 9_500, () => {
      const { timeout, maxNetworkRetries } = stripeRequestBudget("x");
      expect((maxNetworkRetries + 1) * timeout + maxNetworkRetries * 1_000).toBeLessThanOrEqual(9_500 - 1_500);
    });
  });

  it("with little time left there is one short attempt, and with none no call at all", () => {
    withDeadline(Date.now() + 3_000, () => {
      const { timeout, maxNetworkRetries } = stripeRequestBudget("x");
      expect(maxNetworkRetries).toBe(0);
      expect(timeout).toBeLessThanOrEqual(1_500);
    });
    withDeadline(Date.now() + 1_000, () => expect(() => stripeRequestBudget("x")).toThrow(DeadlineExceeded));
  });

  it.each([
    [{ type: "StripeConnectionError", message: "Request aborted due to timeout being reached (800ms)" }, "timeout", true],
    [{ type: "StripeConnectionError", message: "socket hang up" }, "connection", true],
    [{ type: "StripeRateLimitError", statusCode: 429 }, "rate_limited", true],
    [{ type: "StripeAPIError", statusCode: 500 }, "provider_unavailable", true],
    [{ type: "StripeInvalidRequestError", statusCode: 400 }, "invalid_request", false],
    [{ type: "StripeCardError", statusCode: 402 }, "card_error", false],
    [{ type: "StripeAuthenticationError", statusCode: 401 }, "authentication", false],
    [{ type: "StripeIdempotencyError", statusCode: 400 }, "idempotency_conflict", false],
    [{ type: "StripeError", statusCode: 503 }, "provider_unavailable", true],
  ])("classifies %o as %s (retryable: %s)", (raw, failure, retryable) => {
    const error = classifyStripeError(
      Object.assign(new Error(String((raw as { message?: string }).message ?? "provider says no")), raw),
      "x",
    );
    expect(error).toMatchObject({ failure, retryable, code: "payment_provider_error" });
  });

  it("a timeout that used up our own time is our deadline (503), not the provider's fault", () => {
    withDeadline(Date.now() + 1_000, () => {
      const error = classifyStripeError(
        Object.assign(new Error("Request aborted due to timeout being reached"), { type: "StripeConnectionError" }),
        "x",
      );
      expect(error).toBeInstanceOf(DeadlineExceeded);
      expect(error.code).toBe("service_unavailable");
    });
  });
});
