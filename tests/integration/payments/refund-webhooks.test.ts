// The refund and dispute webhooks as the Stripe sandbox emits them: a full refund ends the ticket
// and promotes the waitlist; duplicates and reordering apply once; failures restore refundability.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrder } from "@evently/core/payments/orders";
import { requestRefund } from "@evently/core/payments/refunds";
import type { ProviderEvent } from "@evently/core/webhooks";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { paidOrder, settleRefunds, startPaymentsHarness, type PaymentsHarness } from "./harness";

let h: PaymentsHarness;
let org: TestActor;
let buyer: TestActor;

beforeAll(async () => {
  h = await startPaymentsHarness();
  [org, buyer] = await Promise.all([makeActor(h.t.db, { role: "organizer" }), makeActor(h.t.db)]);
});
afterAll(() => h.stop());

const reason = "Refund requested by the customer";

async function ticketedEvent(opts: { capacity?: number; waitlistEnabled?: boolean } = {}) {
  const event = await makeEvent(h.t.db, org, {
    kind: "ticketed",
    capacity: opts.capacity ?? 50,
    waitlistEnabled: opts.waitlistEnabled ?? false,
    startsAt: inDays(20),
  });
  const type = await makeTicketType(h.t.db, org, event.id, { priceMinor: 2500 });
  return { eventId: event.id, ticketTypeId: type.id };
}

const payment = (id: string) => h.t.db.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const ledger = (paymentId: string, type: "refund" | "chargeback") =>
  h.t.db.selectFrom("paymentTransactions").selectAll().where("paymentId", "=", paymentId).where("type", "=", type).execute();
const auditOf = (paymentId: string, actionType: string) =>
  h.t.db
    .selectFrom("paymentAuditLog")
    .select(["actionDescription", "newValues"])
    .where("paymentId", "=", paymentId)
    .where("actionType", "=", actionType as never)
    .execute();
const withNewId = (e: ProviderEvent): ProviderEvent => ({ ...structuredClone(e), id: `evt_copy_${crypto.randomUUID()}` });

describe("refund.updated", () => {
  it("a full refund ends the ticket, frees the seat and gives it to the waitlist", async () => {
    const { eventId, ticketTypeId } = await ticketedEvent({ capacity: 1, waitlistEnabled: true });
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId);
    const next = await makeActor(h.t.db);
    const queued = await createOrder(h.deps, next, eventId, { ticketTypeId, quantity: 1, slidingScalePercent: 0 });
    expect(queued.participation).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });

    const refund = await requestRefund(h.deps, org, paid.paymentId, { amountMinor: 2500, reason });
    const outcomes = await settleRefunds(h, [refund.id]);
    expect(outcomes.find((o) => o.type === "refund.updated")?.outcome).toBe(
      "completed: payment refunded in full; participation refunded, seats freed, 1 promoted from the waitlist",
    );

    expect(await payment(paid.paymentId)).toMatchObject({ status: "refunded", refundedMinor: 2500, refundedAt: expect.any(Date) });
    expect(
      await h.t.db.selectFrom("refunds").select(["status", "processedAt"]).where("id", "=", refund.id).executeTakeFirstOrThrow(),
    ).toMatchObject({ status: "completed", processedAt: expect.any(Date) });
    expect(await ledger(paid.paymentId, "refund")).toMatchObject([{ refundId: refund.id, amountMinor: 2500, status: "completed" }]);
    expect(
      await h.t.db
        .selectFrom("participations")
        .select(["status", "cancelledAt"])
        .where("id", "=", paid.participationId)
        .executeTakeFirstOrThrow(),
    ).toMatchObject({ status: "refunded", cancelledAt: expect.any(Date) });
    expect(await h.t.db.selectFrom("orders").select("status").where("id", "=", paid.orderId).executeTakeFirstOrThrow()).toEqual({
      status: "cancelled",
    });

    // The seat went straight to the waitlisted buyer as a hold with a fresh order and PaymentIntent.
    expect(await h.t.db.selectFrom("events").select("seatsTaken").where("id", "=", eventId).executeTakeFirstOrThrow()).toEqual({
      seatsTaken: 1,
    });
    expect(await h.t.db.selectFrom("ticketTypes").select("quantityTaken").where("id", "=", ticketTypeId).executeTakeFirstOrThrow()).toEqual(
      { quantityTaken: 1 },
    );
    const promoted = await h.t.db
      .selectFrom("participations")
      .select(["status", "holdExpiresAt"])
      .where("id", "=", queued.participation.id)
      .executeTakeFirstOrThrow();
    expect(promoted).toMatchObject({ status: "pending", holdExpiresAt: expect.any(Date) });
    const hold = await h.t.db
      .selectFrom("orders as o")
      .innerJoin("payments as p", "p.orderId", "o.id")
      .select(["o.status", "p.status as paymentStatus", "p.providerPaymentIdHash"])
      .where("o.participationId", "=", queued.participation.id)
      .execute();
    expect(hold).toMatchObject([{ status: "pending", paymentStatus: "pending", providerPaymentIdHash: expect.any(String) }]);
  });

  it("applies once whatever the order and however often the events arrive", async () => {
    const { eventId, ticketTypeId } = await ticketedEvent();
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId);
    const refund = await requestRefund(h.deps, org, paid.paymentId, { amountMinor: 1000, reason });
    h.sandbox.completeRefund(await h.providerRefundId(refund.id));
    const events = h.pending();
    expect(events.map((e) => e.type)).toEqual(["refund.created", "charge.refunded", "refund.updated"]);

    const reversed = await h.drain([...events].reverse());
    expect(reversed.map((o) => o.outcome)).toEqual([
      "completed: partial refund, 1000 of 2500 refunded",
      expect.stringMatching(/^noted: 1 refunds on the charge \(1 ours\)/),
      "acknowledged: refund pending at the provider",
    ]);
    const again = await h.drain(events);
    expect(again.map((o) => o.outcome)).toEqual(Array(3).fill("duplicate: already processed"));
    // A different event about the same refund (Stripe may send several updates) is stale, not a second refund.
    const updated = events.find((e) => e.type === "refund.updated")!;
    expect(await h.drain([withNewId(updated)])).toEqual([{ type: "refund.updated", outcome: "stale: refund already completed" }]);

    expect(await payment(paid.paymentId)).toMatchObject({ status: "partially_refunded", refundedMinor: 1000 });
    expect(await ledger(paid.paymentId, "refund")).toHaveLength(1);
    expect(await auditOf(paid.paymentId, "RefundCompleted")).toHaveLength(1);
  });

  it("a failed refund changes nothing but the refund, and the amount becomes refundable again", async () => {
    const { eventId, ticketTypeId } = await ticketedEvent();
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId);
    const refund = await requestRefund(h.deps, org, paid.paymentId, { amountMinor: 2500, reason });
    await expect(requestRefund(h.deps, org, paid.paymentId, { amountMinor: 1, reason })).rejects.toMatchObject({
      code: "refund_exceeds_payment",
    });

    h.sandbox.failRefund(await h.providerRefundId(refund.id), "expired_or_canceled_card");
    const outcomes = await h.drain();
    expect(outcomes.filter((o) => o.type.startsWith("refund.")).map((o) => [o.type, o.outcome])).toEqual([
      ["refund.created", "acknowledged: refund pending at the provider"],
      ["refund.updated", "failed: refund failed (expired_or_canceled_card), amount refundable again"],
      ["refund.failed", "stale: refund already failed"],
    ]);
    expect(
      await h.t.db
        .selectFrom("refunds")
        .select(["status", "failureReason", "processedAt"])
        .where("id", "=", refund.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: "failed", failureReason: "expired_or_canceled_card", processedAt: null });
    expect(await payment(paid.paymentId)).toMatchObject({ status: "completed", refundedMinor: 0, refundedAt: null });
    expect(await auditOf(paid.paymentId, "RefundFailed")).toHaveLength(1);
    expect(await ledger(paid.paymentId, "refund")).toEqual([]);
    expect(
      await h.t.db.selectFrom("participations").select("status").where("id", "=", paid.participationId).executeTakeFirstOrThrow(),
    ).toEqual({ status: "active" });

    const retry = await requestRefund(h.deps, org, paid.paymentId, { amountMinor: 2500, reason });
    await settleRefunds(h, [retry.id]);
    expect(await payment(paid.paymentId)).toMatchObject({ status: "refunded", refundedMinor: 2500 });
  });

  it("a completed refund the provider later reports failed is flagged once, never undone", async () => {
    const { eventId, ticketTypeId } = await ticketedEvent();
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId);
    const refund = await requestRefund(h.deps, org, paid.paymentId, { amountMinor: 700, reason });
    await settleRefunds(h, [refund.id]);
    h.sandbox.failRefund(await h.providerRefundId(refund.id), "lost_or_stolen_card");
    expect((await h.drain()).map((o) => o.outcome)).toEqual([
      "flagged: completed refund reported failed, left completed for review",
      "stale: late failure already flagged",
    ]);
    expect(await payment(paid.paymentId)).toMatchObject({ status: "partially_refunded", refundedMinor: 700 });
    expect(await auditOf(paid.paymentId, "SystemAction")).toMatchObject([
      { actionDescription: expect.stringContaining("lost_or_stolen_card") },
    ]);
  });
});

describe("charge.dispute.created", () => {
  it("records a pending chargeback for the disputed amount, once", async () => {
    const { eventId, ticketTypeId } = await ticketedEvent();
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId);
    const dispute = h.sandbox.triggerDispute(paid.intentId, { reason: "fraudulent", amount: 2000 });
    const [event] = h.pending(["charge.dispute.created"]);
    expect(await h.drain([event!])).toEqual([
      { type: "charge.dispute.created", outcome: "recorded: chargeback of 2000 pending (fraudulent)" },
    ]);
    expect(await h.drain([withNewId(event!)])).toEqual([
      { type: "charge.dispute.created", outcome: "duplicate: dispute already recorded" },
    ]);

    const rows = await ledger(paid.paymentId, "chargeback");
    expect(rows).toMatchObject([{ amountMinor: 2000, currency: "USD", status: "pending", providerReference: event!.id }]);
    expect(JSON.stringify(rows)).not.toContain(dispute.id);
    expect(await auditOf(paid.paymentId, "SystemAction")).toMatchObject([{ actionDescription: "Dispute opened: fraudulent" }]);
    expect(await payment(paid.paymentId)).toMatchObject({ status: "completed" });
  });

  it("ignores disputes and refunds that are not ours", async () => {
    const outcome = await h.drain([
      {
        id: `evt_${crypto.randomUUID()}`,
        type: "charge.dispute.created",
        created: 0,
        data: { object: { id: "dp_x", payment_intent: "pi_unknown", amount: 100 } },
      },
      {
        id: `evt_${crypto.randomUUID()}`,
        type: "refund.updated",
        created: 0,
        data: { object: { id: "re_unknown", status: "succeeded", metadata: { refundId: "not-a-uuid" } } },
      },
    ]);
    expect(outcome.map((o) => o.outcome)).toEqual([
      "ignored: no payment for this dispute",
      "ignored: no refund of ours for this provider refund",
    ]);
  });
});
