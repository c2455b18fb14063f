// The two participation lists over HTTP (the member's dashboard and the organizer's participant list):
// what they include, their order, payment columns from LEFT JOINs, and keyset pagination.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentStatus } from "@evently/core/payments/payments.table";
import { inDays, makeActor, makeEvent, makeTicketType, seatParticipant, type TestActor } from "../../support/fixtures";
import { call, makeMembers } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";

let rt: TestRuntime;
let organizer: TestActor;
beforeAll(async () => {
  rt = await startTestRuntime();
  organizer = await makeActor(rt.db, { role: "organizer" });
});
afterAll(() => rt.stop());

const MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
type Item = Record<string, unknown> & { id: string; eventId: string; status: string };

/** A ticket participation with an order and one payment in `status`, rows written directly. */
async function paidTicket(member: TestActor, startsInDays: number, status: PaymentStatus, refundedMinor = 0) {
  const event = await makeEvent(rt.db, organizer, { kind: "ticketed", startsAt: inDays(startsInDays), cancellationCutoffHours: 48 });
  const type = await makeTicketType(rt.db, organizer, event.id, { priceMinor: 2500 });
  const participation = await seatParticipant(rt.db, {
    eventId: event.id,
    userId: member.userId,
    ticketTypeId: type.id,
    status: status === "pending" ? "pending" : "active",
  });
  const order = await rt.db
    .insertInto("orders")
    .values({
      participationId: participation.id,
      eventId: event.id,
      userId: member.userId,
      ticketTypeId: type.id,
      quantity: 1,
      unitPriceMinor: 2500,
      subtotalMinor: 2500,
      amountMinor: 2500,
      currency: "EUR",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  // An earlier failed attempt: the captured payment must win over it, whatever its age.
  await rt.db
    .insertInto("payments")
    .values({ orderId: order.id, userId: member.userId, amountMinor: 2500, currency: "EUR", status: "failed" })
    .execute();
  await rt.db
    .insertInto("payments")
    .values({
      orderId: order.id,
      userId: member.userId,
      amountMinor: 2500,
      currency: "EUR",
      status,
      refundedMinor,
      refundedAt: refundedMinor > 0 ? new Date() : null,
    })
    .execute();
  return { event, participation };
}

async function allPages(path: string, as: TestActor, limit: number): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await call(rt, "GET", `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, as);
    expect(res.status).toBe(200);
    const page = res.body.items as Item[];
    expect(page.length).toBeLessThanOrEqual(limit);
    items.push(...page);
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return items;
}

describe("GET /me/participations", () => {
  it("lists upcoming active, pending and waitlisted participations soonest first, with payment and deadline", async () => {
    const [member] = await makeMembers(rt.db, 1, "dash");
    const me = member!;
    const soon = await makeEvent(rt.db, organizer, { startsAt: inDays(3), location: "Hall A", cancellationCutoffHours: 24 });
    const full = await makeEvent(rt.db, organizer, { startsAt: inDays(5), capacity: 1, waitlistEnabled: true });
    await seatParticipant(rt.db, { eventId: full.id, userId: organizer.userId });
    const dropped = await makeEvent(rt.db, organizer, { startsAt: inDays(4) });
    const past = await makeEvent(rt.db, organizer, { startsAt: inDays(-3), endsAt: inDays(-2.9) });
    for (const e of [soon, full, dropped]) expect((await call(rt, "POST", `/events/${e.id}/rsvp`, me)).status).toBe(201);
    await call(rt, "DELETE", `/events/${dropped.id}/rsvp`, me);
    await seatParticipant(rt.db, { eventId: past.id, userId: me.userId });
    const paid = await paidTicket(me, 10, "partially_refunded", 500);
    const holding = await paidTicket(me, 7, "pending");

    const res = await call(rt, "GET", "/me/participations", me);
    expect(res.status).toBe(200);
    const items = res.body.items as Item[];
    expect(res.body.nextCursor).toBeNull();
    expect(items.map((i) => [i.eventId, i.status])).toEqual([
      [soon.id, "active"],
      [full.id, "waitlisted"],
      [holding.event.id, "pending"],
      [paid.event.id, "active"],
    ]);
    expect(items[0]).toEqual({
      id: expect.any(String),
      eventId: soon.id,
      userId: me.userId,
      kind: "rsvp",
      status: "active",
      quantity: 1,
      waitlistPosition: null,
      holdExpiresAt: null,
      createdAt: expect.stringMatching(MICROS),
      cancelledAt: null,
      checkedInAt: null,
      event: { id: soon.id, title: soon.title, startsAt: soon.startsAt, location: "Hall A" },
      paymentStatus: null,
      amountPaidMinor: null,
      currency: null,
      cancellationDeadline: new Date(new Date(soon.startsAt).getTime() - 24 * 3_600_000).toISOString(),
      tickets: [expect.objectContaining({ eventId: soon.id, status: "valid", code: expect.any(String) })],
    });
    expect(items[1]).toMatchObject({ waitlistPosition: 1, paymentStatus: null, tickets: [] });
    expect(items[2]).toMatchObject({
      kind: "ticket",
      paymentStatus: "pending",
      amountPaidMinor: 0,
      currency: "EUR",
      holdExpiresAt: expect.stringMatching(MICROS),
    });
    expect(items[3]).toMatchObject({
      kind: "ticket",
      paymentStatus: "partially_refunded",
      amountPaidMinor: 2000,
      currency: "EUR",
      cancellationDeadline: new Date(new Date(paid.event.startsAt).getTime() - 48 * 3_600_000).toISOString(),
    });

    expect(await allPages("/me/participations", me, 1)).toEqual(items);
  });
});

describe("GET /events/{eventId}/participants", () => {
  it("lists every participant in registration order with user, payment and check-in; filters by status; pages by cursor", async () => {
    const event = await makeEvent(rt.db, organizer, { capacity: 3, waitlistEnabled: true });
    const members = await makeMembers(rt.db, 7, "list");
    for (const m of members) await call(rt, "POST", `/events/${event.id}/rsvp`, m);
    await call(rt, "DELETE", `/events/${event.id}/rsvp`, members[1]!); // members[3] is promoted
    const rows = await rt.db
      .selectFrom("participations")
      .select(["id", "userId", "createdAt"])
      .where("eventId", "=", event.id)
      .orderBy("createdAt")
      .orderBy("id")
      .execute();
    const checkIn = await call(rt, "POST", `/events/${event.id}/check-ins`, organizer, { participationId: rows[0]!.id });

    const all = await allPages(`/events/${event.id}/participants`, organizer, 3);
    expect(all.map((p) => p.id)).toEqual(rows.map((r) => r.id));
    expect(all.map((p) => p.status)).toEqual(["active", "cancelled", "active", "active", "waitlisted", "waitlisted", "waitlisted"]);
    expect(all.map((p) => p.waitlistPosition)).toEqual([null, null, null, null, 1, 2, 3]);
    expect(all[0]).toMatchObject({
      userId: members[0]!.userId,
      user: { id: members[0]!.userId, email: `${members[0]!.as.sub}@example.test` },
      checkedInAt: checkIn.body.checkedInAt,
      paymentStatus: null,
      amountPaidMinor: null,
    });
    expect(all[1]).toMatchObject({ cancelledAt: expect.stringMatching(MICROS), checkedInAt: null });

    const waiting = await allPages(`/events/${event.id}/participants?status=waitlisted`, organizer, 2);
    expect(waiting.map((p) => p.userId)).toEqual([members[4]!.userId, members[5]!.userId, members[6]!.userId]);
  });

  it("shows ticket buyers with what they paid", async () => {
    const [buyer] = await makeMembers(rt.db, 1, "buyer");
    const { event } = await paidTicket(buyer!, 12, "completed");
    const res = await call(rt, "GET", `/events/${event.id}/participants`, organizer);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        userId: buyer!.userId,
        kind: "ticket",
        paymentStatus: "completed",
        amountPaidMinor: 2500,
        currency: "EUR",
      }),
    ]);
  });
});
