// Tickets follow participations on every path that activates or ends one: RSVP, promotion, paid
// order, zero-total order, late payment after an expired hold, comp; cancellation, refund, hold
// expiry and event cancellation. One ticket per seat, created and voided in the same transaction.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComp } from "@evently/core/attendees";
import { cancelEvent } from "@evently/core/events";
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { eventCancellationHooks } from "@evently/core/payments/cancellation";
import { cancelOrder } from "@evently/core/payments/order-lifecycle";
import { createOrder } from "@evently/core/payments/orders";
import { requestRefund } from "@evently/core/payments/refunds";
import { cancelRsvp, registerRsvp } from "@evently/core/ticketing";
import { ticketsFor } from "@evently/core/tickets";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { ticketRows, ticketStatuses } from "../../support/tickets";
import { paidOrder, settleRefunds, startPaymentsHarness, type PaymentsHarness } from "../payments/harness";

let h: PaymentsHarness;
let org: TestActor;
beforeAll(async () => {
  h = await startPaymentsHarness();
  org = await makeActor(h.t.db, { role: "organizer" });
});
afterAll(() => h.stop());

const member = () => makeActor(h.t.db);
async function ticketed(priceMinor = 2500, capacity = 20) {
  const event = await makeEvent(h.t.db, org, { kind: "ticketed", capacity, startsAt: inDays(20) });
  const type = await makeTicketType(h.t.db, org, event.id, { priceMinor });
  return { eventId: event.id, ticketTypeId: type.id };
}
const status = async (id: string) =>
  (await h.t.db.selectFrom("participations").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;

describe("tickets follow participations", () => {
  it("RSVP: one ticket; cancelling voids it; re-registering issues a new one and the view shows only that", async () => {
    const event = await makeEvent(h.t.db, org);
    const m = await member();
    const p = await registerRsvp(h.t.db, m, { eventId: event.id });
    expect(await ticketRows(h.t.db, p.id)).toEqual([expect.objectContaining({ seat: 1, status: "valid", ticketTypeId: null })]);
    await cancelRsvp(h.t.db, m, { eventId: event.id });
    expect(await ticketStatuses(h.t.db, p.id)).toEqual(["void"]);
    await registerRsvp(h.t.db, m, { eventId: event.id });
    const rows = await ticketRows(h.t.db, p.id);
    expect(rows.map((t) => t.status)).toEqual(["void", "valid"]);
    const shown = (await ticketsFor(h.t.db, [p.id])).get(p.id)!;
    expect(shown.map((t) => [t.id, t.status])).toEqual([[rows[1]!.id, "valid"]]);
  });

  it("waitlist promotion of an RSVP issues its ticket in the cancelling transaction", async () => {
    const event = await makeEvent(h.t.db, org, { capacity: 1, waitlistEnabled: true });
    const [first, second] = [await member(), await member()];
    const seated = await registerRsvp(h.t.db, first!, { eventId: event.id });
    const queued = await registerRsvp(h.t.db, second!, { eventId: event.id });
    expect(queued.status).toBe("waitlisted");
    expect(await ticketStatuses(h.t.db, queued.id)).toEqual([]);
    await cancelRsvp(h.t.db, first!, { eventId: event.id });
    expect(await ticketStatuses(h.t.db, seated.id)).toEqual(["void"]);
    expect(await ticketStatuses(h.t.db, queued.id)).toEqual(["valid"]);
  });

  it("paid order: no tickets while pending, one per seat once paid; cancelling the order voids them all", async () => {
    const ev = await ticketed();
    const buyer = await member();
    const pending = await createOrder(h.deps, buyer, ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 3 });
    expect(pending.tickets).toEqual([]);
    await h.stripe.paymentIntents.confirm(pending.payment!.providerPaymentId!, { payment_method: "pm_card_visa" });
    await h.drain(h.pending(["payment_intent.succeeded"]));
    const rows = await ticketRows(h.t.db, pending.participation.id);
    expect(rows.map((t) => [t.seat, t.status, t.ticketTypeId])).toEqual([1, 2, 3].map((seat) => [seat, "valid", ev.ticketTypeId]));
    const cancelled = await cancelOrder(h.deps, buyer, pending.order!.id, { reason: "Plans changed" });
    expect(cancelled.tickets.map((t) => t.status)).toEqual(["void", "void", "void"]);
  });

  it("buying again after cancelling: the new pending hold shows no tickets, not the void ones of the last", async () => {
    const ev = await ticketed();
    const buyer = await member();
    const first = await paidOrder(h, buyer, ev.eventId, ev.ticketTypeId, 2);
    await cancelOrder(h.deps, buyer, first.orderId, { reason: "Plans changed" });
    const again = await createOrder(h.deps, buyer, ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 1 });
    expect(again.participation.id).toBe(first.participationId);
    expect(again.tickets).toEqual([]);
    expect((await ticketsFor(h.t.db, [again.participation.id])).get(again.participation.id)).toEqual([]);
    expect(await ticketStatuses(h.t.db, again.participation.id)).toEqual(["void", "void"]);
  });

  it("a full refund voids the tickets when it completes", async () => {
    const ev = await ticketed();
    const order = await paidOrder(h, await member(), ev.eventId, ev.ticketTypeId, 2);
    expect(await ticketStatuses(h.t.db, order.participationId)).toEqual(["valid", "valid"]);
    const refund = await requestRefund(h.deps, org, order.paymentId, {
      amountMinor: order.amountMinor,
      reason: "Organizer refunds the whole order",
    });
    await settleRefunds(h, [refund.id]);
    expect(await status(order.participationId)).toBe("refunded");
    expect(await ticketStatuses(h.t.db, order.participationId)).toEqual(["void", "void"]);
  });

  it("a zero-total order is active with its tickets at once", async () => {
    const ev = await ticketed(0);
    const result = await createOrder(h.deps, await member(), ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 2 });
    expect(result.participation.status).toBe("active");
    expect(result.tickets.map((t) => t.status)).toEqual(["valid", "valid"]);
  });

  it("an expired hold issues nothing; a payment arriving after it re-takes the seats and issues the tickets", async () => {
    const ev = await ticketed();
    const result = await createOrder({ ...h.deps, holdTtlSeconds: 1 }, await member(), ev.eventId, {
      ticketTypeId: ev.ticketTypeId,
      quantity: 2,
    });
    // The hold lapses by the database's clock, which the job compares with.
    await sql`UPDATE participations SET hold_expires_at = now() - interval '1 second' WHERE id = ${result.participation.id}`.execute(
      h.t.db,
    );
    await h.stripe.paymentIntents.confirm(result.payment!.providerPaymentId!, { payment_method: "pm_card_visa" });
    expect(await expireHolds(h.deps, { batchSize: 10 })).toMatchObject({ expired: 1 });
    expect(await status(result.participation.id)).toBe("cancelled");
    expect(await ticketStatuses(h.t.db, result.participation.id)).toEqual([]);
    await h.drain(h.pending(["payment_intent.succeeded"]));
    expect(await status(result.participation.id)).toBe("active");
    expect(await ticketStatuses(h.t.db, result.participation.id)).toEqual(["valid", "valid"]);
  });

  it("a comp is active with one ticket per seat; cancelling the event voids every ticket", async () => {
    const ev = await ticketed();
    const guest = await member();
    const comp = await createComp(h.t.db, org, ev.eventId, { email: guest.email!, quantity: 3 });
    expect(comp.tickets.map((t) => t.status)).toEqual(["valid", "valid", "valid"]);
    const paid = await paidOrder(h, await member(), ev.eventId, ev.ticketTypeId, 1);
    await cancelEvent(h.t.db, org, ev.eventId, { reason: "The venue flooded" }, eventCancellationHooks(h.deps, org));
    const { rows } = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM tickets WHERE event_id = ${ev.eventId} GROUP BY status`.execute(h.t.db);
    expect(rows).toEqual([{ status: "void", n: 4 }]);
    expect(await ticketStatuses(h.t.db, paid.participationId)).toEqual(["void"]);
  });

  it("the database keeps one valid ticket per seat and a voided_at exactly on void tickets", async () => {
    const event = await makeEvent(h.t.db, org);
    const p = await registerRsvp(h.t.db, await member(), { eventId: event.id });
    await expect(
      sql`INSERT INTO tickets (participation_id, event_id, seat) VALUES (${p.id}, ${event.id}, 1)`.execute(h.t.db),
    ).rejects.toThrow(/tickets_participation_seat_valid_key/);
    await expect(sql`UPDATE tickets SET status = 'void' WHERE participation_id = ${p.id}`.execute(h.t.db)).rejects.toThrow(
      /tickets_voided_at_check/,
    );
  });
});
