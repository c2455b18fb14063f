// The event report: counts from participations and check-ins, revenue from captured payments,
// refunds that completed, and the four sliding-scale ranges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentStatus, RefundStatus } from "@evently/core/payments/payments.table";
import { eventReport } from "@evently/core/reports";
import type { ParticipationStatus } from "@evently/core/ticketing/ticketing.table";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { makeActor, makeEvent, makeTicketType, seatParticipant, type TestActor } from "../../support/fixtures";

let t: TestDatabase;
let org: TestActor;
let admin: TestActor;
let otherOrg: TestActor;

beforeAll(async () => {
  t = await createTestDatabase();
  [org, admin, otherOrg] = await Promise.all([
    makeActor(t.db, { role: "organizer" }),
    makeActor(t.db, { role: "admin" }),
    makeActor(t.db, { role: "organizer" }),
  ]);
});
afterAll(() => t.destroy());

interface Purchase {
  status: ParticipationStatus;
  ticketTypeId: string;
  quantity?: number;
  payment?: { status: PaymentStatus; amountMinor: number; slidingScalePercent: number };
  refunds?: Array<{ amountMinor: number; status: RefundStatus }>;
  checkedIn?: boolean;
}

/** A participation with its order, payment and refunds, written raw (the payment flow is not under test). */
async function purchase(eventId: string, p: Purchase): Promise<void> {
  const user = await makeActor(t.db);
  const quantity = p.quantity ?? 1;
  const participation = await seatParticipant(t.db, {
    eventId,
    userId: user.userId,
    status: p.status,
    ticketTypeId: p.ticketTypeId,
    quantity,
  });
  if (p.checkedIn) await t.db.insertInto("checkIns").values({ participationId: participation.id, checkedInBy: org.userId }).execute();
  if (!p.payment) return;
  const amountMinor = p.payment.amountMinor;
  const order = await t.db
    .insertInto("orders")
    .values({
      participationId: participation.id,
      eventId,
      userId: user.userId,
      ticketTypeId: p.ticketTypeId,
      quantity,
      unitPriceMinor: 2000,
      subtotalMinor: 2000 * quantity,
      amountMinor,
      currency: "USD",
      slidingScalePercent: p.payment.slidingScalePercent,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const refundedMinor = (p.refunds ?? []).filter((r) => r.status === "completed").reduce((n, r) => n + r.amountMinor, 0);
  const payment = await t.db
    .insertInto("payments")
    .values({
      orderId: order.id,
      userId: user.userId,
      status: p.payment.status,
      amountMinor,
      currency: "USD",
      slidingScalePercent: p.payment.slidingScalePercent,
      refundedMinor,
      refundedAt: refundedMinor > 0 ? new Date() : null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const r of p.refunds ?? []) {
    await t.db
      .insertInto("refunds")
      .values({ paymentId: payment.id, amountMinor: r.amountMinor, currency: "USD", reason: "customer changed plans", status: r.status })
      .execute();
  }
}

describe("eventReport", () => {
  it("reports capacity use, counts, revenue net of completed refunds and the sliding-scale ranges", async () => {
    const event = await makeEvent(t.db, org, { kind: "ticketed", capacity: 20, waitlistEnabled: true });
    const a = await makeTicketType(t.db, org, event.id, { name: "A", priceMinor: 2000, quantity: 10 });
    const b = await makeTicketType(t.db, org, event.id, { name: "B", priceMinor: 2000 });
    const paid = (amountMinor: number, slidingScalePercent = 0, status: PaymentStatus = "completed") => ({
      status,
      amountMinor,
      slidingScalePercent,
    });
    await purchase(event.id, { status: "active", ticketTypeId: a.id, quantity: 2, payment: paid(4000), checkedIn: true });
    await purchase(event.id, {
      status: "active",
      ticketTypeId: a.id,
      payment: paid(1600, 20, "partially_refunded"),
      refunds: [{ amountMinor: 600, status: "completed" }],
      checkedIn: true,
    });
    await purchase(event.id, {
      status: "active",
      ticketTypeId: b.id,
      payment: paid(1000, 50, "refunded"),
      refunds: [{ amountMinor: 1000, status: "completed" }],
    });
    await purchase(event.id, {
      status: "active",
      ticketTypeId: b.id,
      payment: paid(500, 75),
      refunds: [{ amountMinor: 100, status: "processing" }],
    });
    await purchase(event.id, { status: "pending", ticketTypeId: b.id, payment: paid(2000, 0, "pending") });
    await purchase(event.id, { status: "cancelled", ticketTypeId: b.id, payment: paid(2000, 10, "failed") });
    await purchase(event.id, { status: "waitlisted", ticketTypeId: b.id, quantity: 3 });

    const report = await eventReport(t.db, org, event.id);
    expect(report).toMatchObject({
      eventId: event.id,
      status: "published",
      capacity: { capacity: 20, seatsTaken: 6, available: 14 },
      participations: { active: 4, pending: 1, waitlisted: 1, cancelled: 1, refunded: 0, checkedIn: 2 },
      seats: { active: 5, pending: 1, waitlisted: 3 },
      ticketTypes: [
        { id: a.id, name: "A", quantity: 10, quantityTaken: 3, sold: 3, held: 0 },
        { id: b.id, name: "B", quantity: null, quantityTaken: 3, sold: 2, held: 1 },
      ],
      revenue: {
        byCurrency: [{ currency: "USD", payments: 4, grossMinor: 7100, refundedMinor: 1600, netMinor: 5500 }],
        slidingScale: [
          { range: "full_price", label: "Full Price", payments: 1, byCurrency: [{ currency: "USD", amountMinor: 4000 }] },
          { range: "light", label: "Light Discount (1-25%)", payments: 1, byCurrency: [{ currency: "USD", amountMinor: 1600 }] },
          { range: "moderate", label: "Moderate Discount (26-50%)", payments: 1, byCurrency: [{ currency: "USD", amountMinor: 1000 }] },
          { range: "high", label: "High Discount (51-75%)", payments: 1, byCurrency: [{ currency: "USD", amountMinor: 500 }] },
        ],
      },
    });
    await expect(eventReport(t.db, admin, event.id)).resolves.toMatchObject({ eventId: event.id });
  });

  it("reports zeros, not gaps, before any payment; RSVP events have no currencies", async () => {
    const event = await makeEvent(t.db, org, { kind: "ticketed" });
    await makeTicketType(t.db, org, event.id, { currency: "GBP" });
    const report = await eventReport(t.db, org, event.id);
    expect(report.revenue.byCurrency).toEqual([{ currency: "GBP", payments: 0, grossMinor: 0, refundedMinor: 0, netMinor: 0 }]);
    expect(report.revenue.slidingScale.map((s) => [s.range, s.payments, s.byCurrency])).toEqual(
      ["full_price", "light", "moderate", "high"].map((r) => [r, 0, [{ currency: "GBP", amountMinor: 0 }]]),
    );
    const rsvp = await eventReport(t.db, org, (await makeEvent(t.db, org)).id);
    expect(rsvp.revenue.byCurrency).toEqual([]);
    expect(rsvp.participations).toEqual({ active: 0, pending: 0, waitlisted: 0, cancelled: 0, refunded: 0, checkedIn: 0 });
  });

  it("is 404 for an organizer of other events", async () => {
    const event = await makeEvent(t.db, org);
    await expect(eventReport(t.db, otherOrg, event.id)).rejects.toMatchObject({ code: "not_found" });
  });
});
