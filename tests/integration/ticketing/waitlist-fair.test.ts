// The fair waitlist, for RSVPs and tickets: only requests that can ever fit join; freed seats go to
// the earliest request that fits (a head that cannot fit blocks nobody); no newcomer takes a seat
// a fitting waiter could have; leaving; promotion keeps the requested terms; raising a ticket
// type's quantity or the event's capacity promotes. Counters always equal the rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import type { Db } from "@evently/core/db/client";
import { updateEvent } from "@evently/core/events";
import { cancelOrder } from "@evently/core/payments/order-lifecycle";
import { createOrder } from "@evently/core/payments/orders";
import { promotionOptions } from "@evently/core/payments/waitlist-orders";
import { cancelRsvp, registerRsvp } from "@evently/core/ticketing";
import { updateTicketType } from "@evently/core/ticketing/ticket-types";
import { leaveWaitlist, promoteWaitlist } from "@evently/core/ticketing/waitlist";
import { makeActor, makeEvent, makePromoCode, makeTicketType, type TestActor } from "../../support/fixtures";
import { queueFacts, seatFacts } from "../../support/participation-fixtures";
import { startPaymentsHarness, type PaymentsHarness } from "../payments/harness";

let h: PaymentsHarness;
let db: Db;
let organizer: TestActor;
beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.t.db;
  organizer = await makeActor(db, { role: "organizer" });
});
afterAll(() => h.stop());

/** seats_taken and every quantity_taken equal the quantities of the pending and active rows. */
async function expectCountersMatchRows(eventId: string) {
  const facts = await seatFacts(db, eventId);
  expect(facts.seatsTaken).toBe(facts.held);
  const { rows } = await sql<{ id: string; taken: number; held: number }>`
    SELECT t.id, t.quantity_taken AS taken, coalesce(sum(p.quantity) FILTER (WHERE p.status IN ('pending', 'active')), 0)::int AS held
    FROM ticket_types t LEFT JOIN participations p ON p.ticket_type_id = t.id WHERE t.event_id = ${eventId} GROUP BY t.id`.execute(db);
  for (const r of rows) expect(r.taken, `ticket type ${r.id}`).toBe(r.held);
}

const statusOf = async (id: string) =>
  (await db.selectFrom("participations").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;
const order = (
  buyer: TestActor,
  eventId: string,
  ticketTypeId: string,
  quantity: number,
  extra: { slidingScalePercent?: number; promoCode?: string } = {},
) => createOrder(h.deps, buyer, eventId, { ticketTypeId, quantity, ...extra });

async function ticketedEvent(capacity: number, typeQuantity: number | null = null, extra: { slidingScaleMaxPercent?: number } = {}) {
  const event = await makeEvent(db, organizer, { kind: "ticketed", capacity, waitlistEnabled: true });
  const type = await makeTicketType(db, organizer, event.id, { priceMinor: 2000, quantity: typeQuantity, maxPerOrder: 10, ...extra });
  return { eventId: event.id, typeId: type.id };
}

describe("tickets", () => {
  it("a request that can never fit is 409 sold_out and writes nothing; one that can is waitlisted", async () => {
    const { eventId, typeId } = await ticketedEvent(3, 2);
    const [a, b, c] = [await makeActor(db), await makeActor(db), await makeActor(db)];
    await order(a, eventId, typeId, 2);
    await expect(order(b, eventId, typeId, 3)).rejects.toMatchObject({ code: "sold_out" }); // more than the type will ever have
    expect((await order(c, eventId, typeId, 2)).participation.status).toBe("waitlisted");
    expect(await db.selectFrom("participations").select("id").where("userId", "=", b.userId).execute()).toEqual([]);
    await expectCountersMatchRows(eventId);
  });

  it("a head that cannot fit blocks nobody: the freed seat goes to the earliest request that fits, the head gets its turn later", async () => {
    const { eventId, typeId } = await ticketedEvent(3);
    const [a, b, big, small, later] = [
      await makeActor(db),
      await makeActor(db),
      await makeActor(db),
      await makeActor(db),
      await makeActor(db),
    ];
    const orderA = await order(a, eventId, typeId, 2);
    const orderB = await order(b, eventId, typeId, 1);
    const bigW = await order(big, eventId, typeId, 3);
    const smallW = await order(small, eventId, typeId, 1);
    const laterW = await order(later, eventId, typeId, 1);
    expect([bigW, smallW, laterW].map((r) => r.participation.status)).toEqual(["waitlisted", "waitlisted", "waitlisted"]);

    await cancelOrder(h.deps, b, orderB.order!.id); // frees 1: big (3) does not fit, small does
    expect([
      await statusOf(bigW.participation.id),
      await statusOf(smallW.participation.id),
      await statusOf(laterW.participation.id),
    ]).toEqual(["waitlisted", "pending", "waitlisted"]);
    await cancelOrder(h.deps, a, orderA.order!.id); // frees 2: 2 free, big still needs 3; later (1) fits
    expect([await statusOf(bigW.participation.id), await statusOf(laterW.participation.id)]).toEqual(["waitlisted", "pending"]);
    await expectCountersMatchRows(eventId);
  });

  it("newcomers racing a cancellation never take the seat a fitting waiter is owed", async () => {
    for (let round = 0; round < 3; round++) {
      const { eventId, typeId } = await ticketedEvent(2);
      const holder = await makeActor(db);
      const waiter = await makeActor(db);
      const held = await order(holder, eventId, typeId, 2);
      const waiting = await order(waiter, eventId, typeId, 1);
      const newcomers = await Promise.all(Array.from({ length: 8 }, () => makeActor(db)));
      const results = await Promise.allSettled([
        cancelOrder(h.deps, holder, held.order!.id),
        ...newcomers.map((n) => order(n, eventId, typeId, 1)),
      ]);
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(await statusOf(waiting.participation.id)).toBe("pending");
      // Two seats were freed: one is the waiter's, so at most one newcomer got the other.
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM participations p
        WHERE p.event_id = ${eventId} AND p.status IN ('pending', 'active') AND p.user_id <> ${waiter.userId} AND p.user_id <> ${holder.userId}`.execute(
        db,
      );
      expect(rows[0]!.n).toBeLessThanOrEqual(1);
      await expectCountersMatchRows(eventId);
    }
  });

  it("promotion keeps the requested terms: quantity, sliding scale and promo code (its use taken with the hold)", async () => {
    const { eventId, typeId } = await ticketedEvent(2, null, { slidingScaleMaxPercent: 50 });
    const code = await makePromoCode(db, organizer, eventId, { code: "FRIENDS", percentOff: 10, maxUses: 5 });
    const [a, w] = [await makeActor(db), await makeActor(db)];
    const first = await order(a, eventId, typeId, 2);
    const queued = await order(w, eventId, typeId, 2, { slidingScalePercent: 20, promoCode: "friends" });
    expect(queued.participation.status).toBe("waitlisted");
    await cancelOrder(h.deps, a, first.order!.id);
    const promoted = await db
      .selectFrom("orders")
      .selectAll()
      .where("participationId", "=", queued.participation.id)
      .executeTakeFirstOrThrow();
    // 2 × 20.00 = 40.00; sliding scale 20% → 32.00; promo 10% of the rest → 28.80.
    expect(promoted).toMatchObject({ quantity: 2, slidingScalePercent: 20, promoCodeId: code.id, amountMinor: 2880, status: "pending" });
    expect((await db.selectFrom("promoCodes").select("uses").where("id", "=", code.id).executeTakeFirstOrThrow()).uses).toBe(1);
  });

  it("no promotion once ticket sales have closed", async () => {
    const { eventId, typeId } = await ticketedEvent(1);
    const [a, w] = [await makeActor(db), await makeActor(db)];
    const first = await order(a, eventId, typeId, 1);
    const queued = await order(w, eventId, typeId, 1);
    await db
      .updateTable("ticketTypes")
      .set({ salesEndAt: new Date(Date.now() - 1000), salesStartAt: new Date(Date.now() - 2000) })
      .where("id", "=", typeId)
      .execute();
    await cancelOrder(h.deps, a, first.order!.id);
    expect(await statusOf(queued.participation.id)).toBe("waitlisted");
    await expectCountersMatchRows(eventId);
  });

  it("raising a ticket type's quantity promotes the waitlist at once, under concurrency with newcomers", async () => {
    const { eventId, typeId } = await ticketedEvent(10, 1);
    const [a, w1, w2] = [await makeActor(db), await makeActor(db), await makeActor(db)];
    await order(a, eventId, typeId, 1);
    const q1 = await order(w1, eventId, typeId, 1);
    const q2 = await order(w2, eventId, typeId, 1);
    const newcomers = await Promise.all(Array.from({ length: 5 }, () => makeActor(db)));
    const raise = updateTicketType(
      db,
      organizer,
      typeId,
      { quantity: 3 },
      { onMoreForSale: async (trx, id) => void (await promoteWaitlist(trx, id, promotionOptions(h.deps))) },
    );
    await Promise.allSettled([raise, ...newcomers.map((n) => order(n, eventId, typeId, 1))]);
    expect([await statusOf(q1.participation.id), await statusOf(q2.participation.id)]).toEqual(["pending", "pending"]);
    await expectCountersMatchRows(eventId);
  });

  it("switching a ticket type back on promotes the waiter its seat went to no one while it was off", async () => {
    const { eventId, typeId } = await ticketedEvent(10, 1);
    const [a, w] = [await makeActor(db), await makeActor(db)];
    const first = await order(a, eventId, typeId, 1);
    const queued = await order(w, eventId, typeId, 1);
    await db.updateTable("ticketTypes").set({ active: false }).where("id", "=", typeId).execute();
    await cancelOrder(h.deps, a, first.order!.id);
    expect(await statusOf(queued.participation.id)).toBe("waitlisted");
    await updateTicketType(
      db,
      organizer,
      typeId,
      { active: true },
      { onMoreForSale: async (trx, id) => void (await promoteWaitlist(trx, id, promotionOptions(h.deps))) },
    );
    expect(await statusOf(queued.participation.id)).toBe("pending");
    await expectCountersMatchRows(eventId);
  });
});

describe("RSVPs", () => {
  it("newcomers racing a cancellation: the waiter gets the seat, the queue keeps its order, counters equal rows", async () => {
    const event = await makeEvent(db, organizer, { capacity: 1, waitlistEnabled: true });
    const [holder, waiter] = [await makeActor(db), await makeActor(db)];
    await registerRsvp(db, holder, { eventId: event.id });
    const w = await registerRsvp(db, waiter, { eventId: event.id });
    const newcomers = await Promise.all(Array.from({ length: 10 }, () => makeActor(db)));
    await Promise.all([cancelRsvp(db, holder, { eventId: event.id }), ...newcomers.map((n) => registerRsvp(db, n, { eventId: event.id }))]);
    expect(await statusOf(w.id)).toBe("active");
    const facts = await seatFacts(db, event.id);
    expect(facts).toMatchObject({ seatsTaken: 1, held: 1 });
    expect((await queueFacts(db, event.id)).promotedBeforeWaiting).toBe(true);
  });

  it("leaving the waitlist: 200 once, then 409 not_waitlisted; seats untouched; the next waiter moves up", async () => {
    const event = await makeEvent(db, organizer, { capacity: 1, waitlistEnabled: true });
    const [holder, leaver, stayer, stranger] = [await makeActor(db), await makeActor(db), await makeActor(db), await makeActor(db)];
    await registerRsvp(db, holder, { eventId: event.id });
    await registerRsvp(db, leaver, { eventId: event.id });
    const s = await registerRsvp(db, stayer, { eventId: event.id });
    expect(s.waitlistPosition).toBe(2);
    const left = await leaveWaitlist(db, leaver, event.id);
    expect(left.status).toBe("cancelled");
    await expect(leaveWaitlist(db, leaver, event.id)).rejects.toMatchObject({ code: "not_waitlisted" });
    await expect(leaveWaitlist(db, stranger, event.id)).rejects.toMatchObject({ code: "not_waitlisted" });
    await expect(leaveWaitlist(db, holder, event.id)).rejects.toMatchObject({ code: "not_waitlisted" });
    expect((await seatFacts(db, event.id)).seatsTaken).toBe(1);
    await cancelRsvp(db, holder, { eventId: event.id });
    expect(await statusOf(s.id)).toBe("active");
  });

  it("raising the event's capacity promotes as many waiters as now fit, in order", async () => {
    const event = await makeEvent(db, organizer, { capacity: 1, waitlistEnabled: true });
    const people = await Promise.all(Array.from({ length: 4 }, () => makeActor(db)));
    const rows = [];
    for (const p of people) rows.push(await registerRsvp(db, p, { eventId: event.id }));
    await updateEvent(
      db,
      organizer,
      event.id,
      { capacity: 3 },
      { onCapacityIncreased: async (trx, e) => void (await promoteWaitlist(trx, e.id, promotionOptions(h.deps))) },
    );
    expect(await Promise.all(rows.map((r) => statusOf(r.id)))).toEqual(["active", "active", "active", "waitlisted"]);
    expect((await queueFacts(db, event.id)).promotedBeforeWaiting).toBe(true);
  });
});
