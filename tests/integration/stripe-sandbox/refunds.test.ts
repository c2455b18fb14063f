// Refunds through the real SDK: partial refunds up to the amount, pending → succeeded, failures and disputes.
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./receiver";

let h: Harness;
afterEach(async () => {
  await h.stop();
});

async function paid(amount = 5000): Promise<Stripe.PaymentIntent> {
  return h.stripe.paymentIntents.create({ amount, currency: "usd", payment_method: "pm_card_visa", confirm: true });
}

describe("stripe sandbox: refunds", () => {
  it("refunds in parts up to the amount and rejects one more cent", async () => {
    h = await startHarness();
    const pi = await paid(5000);
    const first = await h.stripe.refunds.create({
      payment_intent: pi.id,
      amount: 2000,
      reason: "requested_by_customer",
      metadata: { refundId: "r1" },
    });
    expect(first).toMatchObject({
      object: "refund",
      amount: 2000,
      currency: "usd",
      payment_intent: pi.id,
      charge: pi.latest_charge,
      status: "pending",
      metadata: { refundId: "r1" },
    });
    const second = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 3000 });
    expect(second.amount).toBe(3000);

    const tooMuch = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 1 }).catch((e: unknown) => e);
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((tooMuch as Stripe.errors.StripeError).code).toBe("charge_already_refunded");

    await h.sandbox.waitForDeliveries();
    expect((await h.stripe.refunds.retrieve(first.id)).status).toBe("succeeded");
    const charge = await h.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 5000, refunded: true });
  });

  it("rejects a refund larger than what remains and defaults to the remainder", async () => {
    h = await startHarness();
    const pi = await paid(5000);
    await h.stripe.refunds.create({ payment_intent: pi.id, amount: 4999 });
    await expect(h.stripe.refunds.create({ payment_intent: pi.id, amount: 2 })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      code: "amount_too_large",
      param: "amount",
    });
    const rest = await h.stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(1);
  });

  it("delivers refund.created, charge.refunded and then refund.updated once the refund succeeds", async () => {
    h = await startHarness({ refundDelayMs: 50 });
    const pi = await paid(5000);
    const refund = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 1200 });
    await h.sandbox.waitForDeliveries();
    const events = h.receiver.verified().filter((e) => e.type !== "payment_intent.succeeded");
    expect(events.map((e) => e.type)).toEqual(["refund.created", "charge.refunded", "refund.updated"]);
    const chargeRefunded = events[1] as Stripe.ChargeRefundedEvent;
    expect(chargeRefunded.data.object).toMatchObject({ id: pi.latest_charge, amount_refunded: 1200, refunded: false });
    expect(chargeRefunded.data.object.refunds?.data.map((r) => r.id)).toEqual([refund.id]);
    const updated = events[2] as Stripe.RefundUpdatedEvent;
    expect(updated.data.object).toMatchObject({ id: refund.id, status: "succeeded" });
    expect(updated.data.previous_attributes).toEqual({ status: "pending" });
  });

  it("keeps refunds pending while held until completeRefund, and failRefund gives the amount back", async () => {
    h = await startHarness({ refundDelayMs: -1 });
    const pi = await paid(5000);
    const held = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    const toFail = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 4000 });
    await h.sandbox.waitForDeliveries();
    expect((await h.stripe.refunds.retrieve(held.id)).status).toBe("pending");

    expect(h.sandbox.completeRefund(held.id).status).toBe("succeeded");
    expect(h.sandbox.failRefund(toFail.id).status).toBe("failed");
    expect(() => h.sandbox.completeRefund(held.id)).toThrow(/cannot become succeeded/);
    await h.sandbox.waitForDeliveries();

    const failed = await h.stripe.refunds.retrieve(toFail.id);
    expect(failed).toMatchObject({ status: "failed", failure_reason: "expired_or_canceled_card" });
    const charge = await h.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge.amount_refunded).toBe(1000);
    const types = h.receiver.verified().map((e) => `${e.type}:${(e.data.object as { id: string }).id}`);
    expect(types.slice(-3)).toEqual([`refund.updated:${held.id}`, `refund.updated:${toFail.id}`, `refund.failed:${toFail.id}`]);

    // The failed amount is refundable again.
    expect((await h.stripe.refunds.create({ payment_intent: pi.id })).amount).toBe(4000);
  });

  it("refuses to refund a PaymentIntent that never succeeded", async () => {
    h = await startHarness();
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    await expect(h.stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      code: "charge_not_refundable",
    });
  });

  it("raises a dispute on a paid PaymentIntent and delivers charge.dispute.created", async () => {
    h = await startHarness();
    const pi = await paid(3000);
    const dispute = h.sandbox.triggerDispute(pi.id, { reason: "product_not_received" });
    expect(dispute).toMatchObject({ object: "dispute", amount: 3000, charge: pi.latest_charge, status: "needs_response" });
    await h.sandbox.waitForDeliveries();
    const event = h.receiver.verified().find((e) => e.type === "charge.dispute.created") as Stripe.ChargeDisputeCreatedEvent;
    expect(event.data.object).toMatchObject({ id: dispute.id, payment_intent: pi.id, reason: "product_not_received" });
    expect((await h.stripe.charges.retrieve(pi.latest_charge as string)).disputed).toBe(true);
  });
});
