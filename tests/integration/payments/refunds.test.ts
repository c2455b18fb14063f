// Refund requests against real Postgres and the Stripe sandbox: the refundable rest, concurrent
// requests under the payment's row lock, who may refund, and the provider ids kept encrypted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paymentIdFromProviderId } from "@evently/core/payments/payments.repository";
import { requestRefund } from "@evently/core/payments/refunds";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { paidOrder, settleRefunds, startPaymentsHarness, type PaymentsHarness } from "./harness";

let h: PaymentsHarness;
let org: TestActor;
let otherOrg: TestActor;
let admin: TestActor;
let buyer: TestActor;

beforeAll(async () => {
  h = await startPaymentsHarness();
  [org, otherOrg, admin, buyer] = await Promise.all([
    makeActor(h.t.db, { role: "organizer" }),
    makeActor(h.t.db, { role: "organizer" }),
    makeActor(h.t.db, { role: "admin" }),
    makeActor(h.t.db),
  ]);
});
afterAll(() => h.stop());

const reason = "Customer asked for a partial refund";

async function ticketedEvent(priceMinor = 2500, extra: { capacity?: number; waitlistEnabled?: boolean } = {}) {
  const event = await makeEvent(h.t.db, org, {
    kind: "ticketed",
    capacity: extra.capacity ?? 50,
    waitlistEnabled: extra.waitlistEnabled ?? false,
    startsAt: inDays(20),
  });
  const type = await makeTicketType(h.t.db, org, event.id, { priceMinor });
  return { eventId: event.id, ticketTypeId: type.id };
}

const paymentRow = (id: string) => h.t.db.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

describe("requestRefund", () => {
  it("refunds in parts up to the amount; one cent more is 409 refund_exceeds_payment", async () => {
    const { eventId, ticketTypeId } = await ticketedEvent(2500);
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId, 2);
    expect(paid.amountMinor).toBe(5000);

    const first = await requestRefund(
      h.deps,
      org,
      paid.paymentId,
      { amountMinor: 2000, reason: `  ${reason}  ` },
      { ip: "203.0.113.7", userAgent: "vitest" },
    );
    expect(first).toMatchObject({ paymentId: paid.paymentId, amountMinor: 2000, currency: "USD", reason, status: "processing" });
    // Processing refunds already count: only 3000 remain while the first is in flight.
    await expect(requestRefund(h.deps, org, paid.paymentId, { amountMinor: 3001, reason })).rejects.toMatchObject({
      code: "refund_exceeds_payment",
      extra: { refundableMinor: 3000 },
    });
    const second = await requestRefund(h.deps, admin, paid.paymentId, { amountMinor: 3000, reason });
    await expect(requestRefund(h.deps, org, paid.paymentId, { amountMinor: 1, reason })).rejects.toMatchObject({
      code: "refund_exceeds_payment",
    });

    // Both reached Stripe after commit with our refund id in metadata.
    for (const r of [first, second])
      expect((await h.stripe.refunds.retrieve(await h.providerRefundId(r.id))).metadata).toEqual({ refundId: r.id });

    await settleRefunds(h, [first.id]);
    expect(await paymentRow(paid.paymentId)).toMatchObject({
      status: "partially_refunded",
      refundedMinor: 2000,
      refundedAt: expect.any(Date),
    });
    await settleRefunds(h, [second.id]);
    expect(await paymentRow(paid.paymentId)).toMatchObject({ status: "refunded", refundedMinor: 5000 });
    // Nothing left to refund is the same answer as asking for too much, with what is left: 0.
    await expect(requestRefund(h.deps, org, paid.paymentId, { amountMinor: 1, reason })).rejects.toMatchObject({
      code: "refund_exceeds_payment",
      extra: { refundableMinor: 0 },
    });

    const audit = await h.t.db
      .selectFrom("paymentAuditLog")
      .select(["actionType", "ipAddress", "userId"])
      .where("paymentId", "=", paid.paymentId)
      .where("actionType", "in", ["RefundInitiated", "RefundCompleted"])
      .orderBy("createdAt")
      .execute();
    expect(audit.map((a) => a.actionType).sort()).toEqual(["RefundCompleted", "RefundCompleted", "RefundInitiated", "RefundInitiated"]);
    expect(audit.find((a) => a.actionType === "RefundInitiated" && a.ipAddress !== null)).toMatchObject({
      ipAddress: "203.0.113.7",
      userId: org.userId,
    });
  });

  it("lets ten concurrent 30 % requests reserve at most the amount", async () => {
    const { eventId, ticketTypeId } = await ticketedEvent(10_000);
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => requestRefund(h.deps, org, paid.paymentId, { amountMinor: 3000, reason })),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(3);
    expect(refused.map((r) => (r.reason as { code: string }).code)).toEqual(Array(7).fill("refund_exceeds_payment"));

    const rows = await h.t.db.selectFrom("refunds").select(["id", "amountMinor"]).where("paymentId", "=", paid.paymentId).execute();
    expect(rows.reduce((sum, r) => sum + r.amountMinor, 0)).toBe(9000);
    await settleRefunds(
      h,
      rows.map((r) => r.id),
    );
    expect(await paymentRow(paid.paymentId)).toMatchObject({ status: "partially_refunded", refundedMinor: 9000 });
    // Stripe agrees: its charge counts exactly what we reserved.
    const intent = await h.stripe.paymentIntents.retrieve(paid.intentId, { expand: ["latest_charge"] });
    expect((intent.latest_charge as { amount_refunded: number }).amount_refunded).toBe(9000);
  });

  it("is for the event's organizer or an admin only, and only for captured payments", async () => {
    const { eventId, ticketTypeId } = await ticketedEvent();
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId);
    const input = { amountMinor: 100, reason };
    await expect(requestRefund(h.deps, buyer, paid.paymentId, input)).rejects.toMatchObject({ code: "forbidden" });
    await expect(requestRefund(h.deps, otherOrg, paid.paymentId, input)).rejects.toMatchObject({ code: "not_found" });
    await expect(requestRefund(h.deps, org, crypto.randomUUID(), input)).rejects.toMatchObject({ code: "not_found" });
    await expect(requestRefund(h.deps, org, paid.paymentId, { amountMinor: 100, reason: "too short" })).rejects.toMatchObject({
      code: "validation_failed",
      extra: { errors: [{ path: "reason" }] },
    });
    await expect(requestRefund(h.deps, org, paid.paymentId, { amountMinor: 0, reason })).rejects.toMatchObject({
      code: "validation_failed",
    });
    expect(await h.t.db.selectFrom("refunds").select("id").where("paymentId", "=", paid.paymentId).execute()).toEqual([]);

    const { createOrder } = await import("@evently/core/payments/orders");
    const unpaid = await createOrder(h.deps, await makeActor(h.t.db), eventId, { ticketTypeId, quantity: 1 });
    await expect(requestRefund(h.deps, org, unpaid.payment!.id, input)).rejects.toMatchObject({ code: "invalid_state" });
    await expect(requestRefund(h.deps, admin, paid.paymentId, input)).resolves.toMatchObject({ status: "processing" });
  });

  it("keeps provider ids as ciphertext at rest, yet finds rows by them", async () => {
    const { eventId, ticketTypeId } = await ticketedEvent();
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId);
    const refund = await requestRefund(h.deps, org, paid.paymentId, { amountMinor: 500, reason });
    const providerRefundId = await h.providerRefundId(refund.id);
    expect(providerRefundId).toMatch(/^re_/);

    const payment = await paymentRow(paid.paymentId);
    const refundRow = await h.t.db.selectFrom("refunds").selectAll().where("id", "=", refund.id).executeTakeFirstOrThrow();
    const stored = JSON.stringify([payment, refundRow]);
    expect(stored).not.toContain(paid.intentId);
    expect(stored).not.toContain(providerRefundId);
    expect(stored).not.toMatch(/"(pi|re|ch)_[A-Za-z0-9]{10,}/);
    expect(payment.providerPaymentIdEnc).toMatch(/^v1:/);
    expect(refundRow.providerRefundIdEnc).toMatch(/^v1:/);

    expect(await paymentIdFromProviderId(h.t.db, h.deps.cipher, paid.intentId)).toBe(paid.paymentId);
    // A refund event without our metadata is matched through the blind index.
    h.sandbox.completeRefund(providerRefundId);
    const [updated] = h.pending(["refund.updated"]);
    delete (updated!.data.object.metadata as Record<string, unknown>).refundId;
    await h.drain(h.pending().filter((e) => e.id !== updated!.id));
    expect(await h.drain([updated!])).toEqual([{ type: "refund.updated", outcome: expect.stringMatching(/^completed: partial refund/) }]);
    expect(await paymentRow(paid.paymentId)).toMatchObject({ refundedMinor: 500 });
  });
});
