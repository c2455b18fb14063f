// The real Stripe SDK drives PaymentIntents against the sandbox and receives verified webhooks for each outcome.
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

describe("stripe sandbox: payment intents", () => {
  it("creates, confirms with pm_card_visa and delivers a signed payment_intent.succeeded", async () => {
    const created = await h.stripe.paymentIntents.create({
      amount: 2500,
      currency: "EUR",
      metadata: { paymentId: "pay_1", orderId: "ord_1" },
      automatic_payment_methods: { enabled: true },
      description: "2 tickets",
    });
    expect(created).toMatchObject({
      object: "payment_intent",
      amount: 2500,
      currency: "eur",
      status: "requires_payment_method",
      metadata: { paymentId: "pay_1", orderId: "ord_1" },
      latest_charge: null,
      livemode: false,
      last_payment_error: null,
    });
    expect(created.id).toMatch(/^pi_/);
    expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_`));
    expect(Math.abs(created.created - Date.now() / 1000)).toBeLessThan(5);

    const confirmed = await h.stripe.paymentIntents.confirm(created.id, { payment_method: "pm_card_visa" });
    expect(confirmed.status).toBe("succeeded");
    expect(confirmed.latest_charge).toMatch(/^ch_/);
    expect(confirmed.amount_received).toBe(2500);

    const fetched = await h.stripe.paymentIntents.retrieve(created.id, { expand: ["latest_charge"] });
    const charge = fetched.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ id: confirmed.latest_charge, status: "succeeded", amount: 2500, paid: true });
    expect(charge.payment_method_details?.card).toMatchObject({ brand: "visa", last4: "4242" });

    await h.sandbox.waitForDeliveries();
    const events = h.receiver.verified();
    expect(events.map((e) => e.type)).toEqual(["payment_intent.succeeded"]);
    const event = events[0] as Stripe.PaymentIntentSucceededEvent;
    expect(event.id).toMatch(/^evt_/);
    expect(event.livemode).toBe(false);
    expect(event.api_version).toBe(Stripe.API_VERSION);
    expect(event.data.object).toMatchObject({ id: created.id, status: "succeeded", metadata: { paymentId: "pay_1" } });
    expect(event.request?.idempotency_key).toMatch(/^stripe-node-retry-/);
    expect(h.receiver.received.every((r) => r.verified)).toBe(true);
  });

  it("throws StripeCardError for a declined card and delivers payment_intent.payment_failed", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    const error = await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_chargeDeclined" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const cardError = error as Stripe.errors.StripeCardError;
    expect(cardError.statusCode).toBe(402);
    expect(cardError.code).toBe("card_declined");
    expect(cardError.decline_code).toBe("generic_decline");
    expect(cardError.payment_intent?.id).toBe(pi.id);

    const after = await h.stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe("requires_payment_method");
    expect(after.last_payment_error).toMatchObject({
      code: "card_declined",
      decline_code: "generic_decline",
      message: "Your card was declined.",
    });

    await h.sandbox.waitForDeliveries();
    const [failed] = h.receiver.verified();
    expect(failed?.type).toBe("payment_intent.payment_failed");
    expect(failed?.data.object).toMatchObject({ id: pi.id, last_payment_error: { code: "card_declined" } });

    // The same PaymentIntent can be retried with another card, as on Stripe.
    const retried = await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    expect(retried.status).toBe("succeeded");
  });

  it("creates and confirms in one call with confirm=true", async () => {
    const pi = await h.stripe.paymentIntents.create({
      amount: 1500,
      currency: "gbp",
      payment_method: "pm_card_mastercard",
      confirm: true,
    });
    expect(pi.status).toBe("succeeded");
    await expect(
      h.stripe.paymentIntents.create({ amount: 1500, currency: "gbp", payment_method: "pm_card_chargeDeclined", confirm: true }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
  });

  it("cancels an unpaid PaymentIntent but refuses to cancel a succeeded one", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    const canceled = await h.stripe.paymentIntents.cancel(pi.id, { cancellation_reason: "abandoned" });
    expect(canceled).toMatchObject({ status: "canceled", cancellation_reason: "abandoned" });
    expect(canceled.canceled_at).toEqual(expect.any(Number));
    await expect(h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      code: "payment_intent_unexpected_state",
    });

    const paid = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const error = await h.stripe.paymentIntents.cancel(paid.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(400);

    await h.sandbox.waitForDeliveries();
    expect(h.receiver.verified().map((e) => e.type)).toEqual(["payment_intent.canceled", "payment_intent.succeeded"]);
  });

  it("rejects bad requests the way Stripe does", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    await expect(h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_nope" })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 400,
      param: "payment_method",
    });
    await expect(h.stripe.paymentIntents.retrieve("pi_missing")).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 404,
      code: "resource_missing",
    });
    await expect(h.stripe.paymentIntents.create({ amount: 10, currency: "usd" })).rejects.toMatchObject({
      code: "amount_too_small",
      param: "amount",
    });
    const unknownParam = { amount: 1000, currency: "usd", amout: 5 } as Stripe.PaymentIntentCreateParams;
    await expect(h.stripe.paymentIntents.create(unknownParam)).rejects.toMatchObject({ param: "amout" });

    const wrongKey = new Stripe("sk_live_nope", { host: "127.0.0.1", port: h.sandbox.port, protocol: "http" });
    await expect(wrongKey.paymentIntents.retrieve(pi.id)).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const noKey = await fetch(`${h.sandbox.url}/v1/payment_intents/${pi.id}`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { type: "invalid_request_error" } });
  });
});
