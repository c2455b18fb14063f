// Idempotency-Key semantics through the real SDK: replays return the stored response, misuse is an idempotency_error.
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./receiver";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

describe("stripe sandbox: idempotency", () => {
  it("returns the same PaymentIntent for a replayed key and creates nothing new", async () => {
    const params = { amount: 2000, currency: "usd", metadata: { paymentId: "pay_9" } };
    const first = await h.stripe.paymentIntents.create(params, { idempotencyKey: "payment-pay_9" });
    const again = await h.stripe.paymentIntents.create(params, { idempotencyKey: "payment-pay_9" });
    expect(again.id).toBe(first.id);
    expect(again.client_secret).toBe(first.client_secret);
    expect(again.lastResponse.headers["idempotent-replayed"]).toBe("true");
    const other = await h.stripe.paymentIntents.create(params, { idempotencyKey: "payment-pay_10" });
    expect(other.id).not.toBe(first.id);
  });

  it("rejects the same key with different params or on another endpoint", async () => {
    await h.stripe.paymentIntents.create({ amount: 2000, currency: "usd" }, { idempotencyKey: "k1" });
    const error = await h.stripe.paymentIntents
      .create({ amount: 2001, currency: "usd" }, { idempotencyKey: "k1" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(400);
    await expect(h.stripe.refunds.create({ payment_intent: "pi_x" }, { idempotencyKey: "k1" })).rejects.toBeInstanceOf(
      Stripe.errors.StripeIdempotencyError,
    );
  });

  it("replays a declined confirmation as the same 402 without charging again", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 2000, currency: "usd" });
    const confirm = () =>
      h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_chargeDeclined" }, { idempotencyKey: `confirm-${pi.id}` }).then(
        () => Promise.reject(new Error("expected a decline")),
        (e: unknown) => e as Stripe.errors.StripeCardError,
      );
    const first = await confirm();
    const second = await confirm();
    expect(second).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(second.charge).toBe(first.charge);
    await h.sandbox.waitForDeliveries();
    expect(h.sandbox.events({ type: "payment_intent.payment_failed" })).toHaveLength(1);
  });

  it("does not store a result for a request rejected by validation, so a corrected retry runs", async () => {
    const bad = { amount: 10, currency: "usd" };
    await expect(h.stripe.paymentIntents.create(bad, { idempotencyKey: "k2" })).rejects.toMatchObject({ code: "amount_too_small" });
    await expect(h.stripe.paymentIntents.create(bad, { idempotencyKey: "k2" })).rejects.toMatchObject({ code: "amount_too_small" });
  });

  it("records the key on the events the request caused", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 2000, currency: "usd" });
    await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" }, { idempotencyKey: "confirm-key" });
    await h.sandbox.waitForDeliveries();
    const [event] = h.receiver.verified();
    expect(event?.request).toMatchObject({ idempotency_key: "confirm-key", id: expect.stringMatching(/^req_/) });
  });
});
