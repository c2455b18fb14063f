// What the product relies on from Stripe, checked against the sandbox and (opt-in) against Stripe's test mode.
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractTitle, TARGETS } from "./target";

async function failure(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  return promise.then(
    () => Promise.reject(new Error("expected the call to fail")),
    (error: unknown) => error as Stripe.errors.StripeError,
  );
}

for (const target of TARGETS) {
  describe.skipIf(target.skip !== null)(contractTitle(target), () => {
    let stripe: Stripe;
    let stop: () => Promise<void>;
    // Keys live 24 hours on Stripe, so every run uses fresh ones.
    const key = (name: string) => `contract-${name}-${randomUUID()}`;
    // Card-only intents confirm with a test PaymentMethod without a return_url, on Stripe as here.
    const intent = (amount = 2000) => ({ amount, currency: "usd", payment_method_types: ["card"], metadata: { suite: "contract" } });

    beforeAll(async () => {
      ({ stripe, stop } = await target.connect());
    });
    afterAll(async () => {
      await stop?.();
    });

    it("confirms with pm_card_visa into a succeeded intent with a card charge", async () => {
      const created = await stripe.paymentIntents.create(intent());
      expect(created).toMatchObject({ status: "requires_payment_method", amount: 2000, currency: "usd", metadata: { suite: "contract" } });
      expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_`));
      const confirmed = await stripe.paymentIntents.confirm(created.id, { payment_method: "pm_card_visa" });
      expect(confirmed).toMatchObject({ status: "succeeded", amount_received: 2000 });
      const charge = (await stripe.paymentIntents.retrieve(created.id, { expand: ["latest_charge"] })).latest_charge as Stripe.Charge;
      expect(charge).toMatchObject({ status: "succeeded", paid: true, amount: 2000, payment_intent: created.id });
      expect(charge.payment_method_details?.card).toMatchObject({ brand: "visa", last4: "4242" });
    });

    it("declines pm_card_chargeDeclined with a 402 card error and leaves the intent payable", async () => {
      const created = await stripe.paymentIntents.create(intent());
      const error = await failure(stripe.paymentIntents.confirm(created.id, { payment_method: "pm_card_chargeDeclined" }));
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error).toMatchObject({ statusCode: 402, code: "card_declined", decline_code: "generic_decline" });
      const after = await stripe.paymentIntents.retrieve(created.id);
      expect(after.status).toBe("requires_payment_method");
      expect(after.last_payment_error?.code).toBe("card_declined");
    });

    it("cancels an open intent once, then refuses with payment_intent_unexpected_state", async () => {
      const created = await stripe.paymentIntents.create(intent());
      const canceled = await stripe.paymentIntents.cancel(created.id, { cancellation_reason: "abandoned" });
      expect(canceled).toMatchObject({ status: "canceled", cancellation_reason: "abandoned" });
      const again = await failure(stripe.paymentIntents.cancel(created.id));
      expect(again).toMatchObject({ statusCode: 400, code: "payment_intent_unexpected_state" });
    });

    it("refunds partially, then the rest, then refuses more", async () => {
      const paid = await stripe.paymentIntents.create({ ...intent(3000), payment_method: "pm_card_visa", confirm: true });
      const part = await stripe.refunds.create({ payment_intent: paid.id, amount: 1000 });
      expect(part).toMatchObject({ object: "refund", amount: 1000, payment_intent: paid.id });
      expect(["pending", "succeeded"]).toContain(part.status);
      const tooMuch = await failure(stripe.refunds.create({ payment_intent: paid.id, amount: 2500 }));
      expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(tooMuch.message).toMatch(/greater than/);
      expect(await stripe.refunds.create({ payment_intent: paid.id })).toMatchObject({ amount: 2000 });
      const done = await failure(stripe.refunds.create({ payment_intent: paid.id, amount: 1 }));
      expect(done).toMatchObject({ statusCode: 400, code: "charge_already_refunded" });
      expect((await stripe.refunds.retrieve(part.id)).id).toBe(part.id);
    });

    it("replays an idempotent request and refuses the key for other parameters", async () => {
      const k = key("pi");
      const first = await stripe.paymentIntents.create(intent(), { idempotencyKey: k });
      const replay = await stripe.paymentIntents.create(intent(), { idempotencyKey: k });
      expect(replay.id).toBe(first.id);
      expect(replay.lastResponse.headers["idempotent-replayed"]).toBe("true");
      const misuse = await failure(stripe.paymentIntents.create(intent(2100), { idempotencyKey: k }));
      expect(misuse).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    });

    it("refuses amounts below the minimum charge and unknown ids", async () => {
      expect(await failure(stripe.paymentIntents.create(intent(40)))).toMatchObject({ statusCode: 400, code: "amount_too_small" });
      const missing = await failure(stripe.paymentIntents.retrieve("pi_doesnotexist000000000000"));
      expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
    });
  });
}
