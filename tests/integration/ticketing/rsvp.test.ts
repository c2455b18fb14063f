// RSVP and its waitlist through the handlers over HTTP: registration, conflicts that leak no seat,
// cancellation, promotion in order, renumbering, reactivation of the same row, and the audit trail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { call, makeMembers, seatFacts } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";

let rt: TestRuntime;
let organizer: TestActor;
beforeAll(async () => {
  rt = await startTestRuntime();
  organizer = await makeActor(rt.db, { role: "organizer" });
});
afterAll(() => rt.stop());

const MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const rsvp = (eventId: string, who: TestActor) => call(rt, "POST", `/events/${eventId}/rsvp`, who);
const cancel = (eventId: string, who: TestActor, body?: unknown) => call(rt, "DELETE", `/events/${eventId}/rsvp`, who, body);
const history = (participationId: string) =>
  rt.db.selectFrom("participationHistory").selectAll().where("participationId", "=", participationId).orderBy("createdAt").execute();

describe("POST /events/{eventId}/rsvp", () => {
  it("answers 201 with the Participation, createdAt to the microsecond, and takes one seat", async () => {
    const event = await makeEvent(rt.db, organizer, { capacity: 5 });
    const [member] = await makeMembers(rt.db, 1, "reg");
    const res = await rsvp(event.id, member!);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      eventId: event.id,
      userId: member!.userId,
      kind: "rsvp",
      status: "active",
      quantity: 1,
      waitlistPosition: null,
      holdExpiresAt: null,
      createdAt: expect.stringMatching(MICROS),
      cancelledAt: null,
      checkedInAt: null,
    });
    const row = await rt.db
      .selectFrom("participations")
      .select("createdAt")
      .where("id", "=", res.body.id as string)
      .executeTakeFirstOrThrow();
    expect(new Date(res.body.createdAt as string).getTime()).toBe(row.createdAt.getTime());
    expect(await seatFacts(rt.db, event.id)).toMatchObject({ seatsTaken: 1, held: 1 });
    const [created] = await history(res.body.id as string);
    expect(created).toMatchObject({
      actionType: "Created",
      changedBy: member!.userId,
      changeReason: "RSVP",
      ipAddress: expect.any(String),
    });
  });

  it("is 409 already_registered for an active or waitlisted caller, and leaks no seat", async () => {
    const event = await makeEvent(rt.db, organizer, { capacity: 1, waitlistEnabled: true });
    const [a, b] = await makeMembers(rt.db, 2, "dup");
    const first = await rsvp(event.id, a!);
    const queued = await rsvp(event.id, b!);
    expect(queued.body).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });
    for (const who of [a!, b!]) {
      const again = await rsvp(event.id, who);
      expect(again).toMatchObject({ status: 409, body: { code: "already_registered", status: 409 } });
    }
    expect(await seatFacts(rt.db, event.id)).toMatchObject({ seatsTaken: 1, held: 1, byStatus: { active: 1, waitlisted: 1 } });
    expect((await history(first.body.id as string)).length).toBe(1);
  });

  it("is 409 event_full when full without a waitlist", async () => {
    const event = await makeEvent(rt.db, organizer, { capacity: 1 });
    const [a, b] = await makeMembers(rt.db, 2, "full");
    expect((await rsvp(event.id, a!)).status).toBe(201);
    expect(await rsvp(event.id, b!)).toMatchObject({ status: 409, body: { code: "event_full" } });
    expect(await seatFacts(rt.db, event.id)).toMatchObject({ seatsTaken: 1, byStatus: { active: 1 } });
  });

  it("refuses events that are not open for RSVPs", async () => {
    const [member] = await makeMembers(rt.db, 1, "closed");
    const draft = await makeEvent(rt.db, organizer, { status: "draft" });
    const ticketed = await makeEvent(rt.db, organizer, { kind: "ticketed" });
    await makeTicketType(rt.db, organizer, ticketed.id);
    const cancelled = await makeEvent(rt.db, organizer, { status: "cancelled" });
    const ended = await makeEvent(rt.db, organizer, { startsAt: inDays(-2), endsAt: inDays(-1) });
    expect(await rsvp(draft.id, member!)).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect(await rsvp("7d0b7a4e-1a51-4f0e-9c55-2b0a0e1f3c11", member!)).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect(await rsvp(ticketed.id, member!)).toMatchObject({ status: 409, body: { code: "invalid_state" } });
    expect(await rsvp(cancelled.id, member!)).toMatchObject({ status: 409, body: { code: "invalid_state" } });
    expect(await rsvp(ended.id, member!)).toMatchObject({ status: 409, body: { code: "event_ended" } });
    expect(await rt.db.selectFrom("participations").select("id").where("userId", "=", member!.userId).execute()).toEqual([]);
  });
});

describe("DELETE /events/{eventId}/rsvp", () => {
  it("cancels with the reason, frees the seat, records who and why; repeating it changes nothing", async () => {
    const event = await makeEvent(rt.db, organizer, { capacity: 3 });
    const [member] = await makeMembers(rt.db, 1, "cancel");
    const { body } = await rsvp(event.id, member!);
    const res = await cancel(event.id, member!, { reason: "  Plans changed  " });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: body.id,
      status: "cancelled",
      cancelledAt: expect.stringMatching(MICROS),
      waitlistPosition: null,
    });
    expect(await seatFacts(rt.db, event.id)).toMatchObject({ seatsTaken: 0, held: 0 });
    const row = await rt.db
      .selectFrom("participations")
      .select(["cancellationReason", "updatedBy"])
      .where("id", "=", body.id as string)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ cancellationReason: "Plans changed", updatedBy: member!.userId });
    expect((await history(body.id as string)).at(-1)).toMatchObject({
      actionType: "Cancelled",
      changedBy: member!.userId,
      changeReason: "Plans changed",
      userAgent: expect.any(String),
    });

    const again = await cancel(event.id, member!);
    expect(again).toEqual({ status: 200, body: res.body });
    expect(await seatFacts(rt.db, event.id)).toMatchObject({ seatsTaken: 0 });
    expect((await history(body.id as string)).length).toBe(2);
  });

  it("is 409 not_registered without an RSVP, and 404 for an event that is not visible", async () => {
    const event = await makeEvent(rt.db, organizer);
    const draft = await makeEvent(rt.db, organizer, { status: "draft" });
    const [member] = await makeMembers(rt.db, 1, "never");
    expect(await cancel(event.id, member!)).toMatchObject({ status: 409, body: { code: "not_registered" } });
    expect(await cancel(draft.id, member!)).toMatchObject({ status: 404, body: { code: "not_found" } });
  });
});

describe("waitlist", () => {
  it("a cancellation promotes the oldest waitlisted RSVP straight to active in the same transaction; positions renumber", async () => {
    const event = await makeEvent(rt.db, organizer, { capacity: 2, waitlistEnabled: true });
    const [a, b, c, d, e] = await makeMembers(rt.db, 5, "queue");
    const ids: string[] = [];
    for (const who of [a!, b!, c!, d!, e!]) ids.push((await rsvp(event.id, who)).body.id as string);
    const position = async (who: TestActor) =>
      (await call(rt, "GET", "/me/participations", who)).body.items as { status: string; waitlistPosition: number | null }[];
    expect((await position(c!))[0]).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });
    expect((await position(e!))[0]).toMatchObject({ status: "waitlisted", waitlistPosition: 3 });

    await cancel(event.id, b!, { reason: "Sick" });
    expect(await seatFacts(rt.db, event.id)).toMatchObject({
      seatsTaken: 2,
      held: 2,
      byStatus: { active: 2, cancelled: 1, waitlisted: 2 },
    });
    expect((await position(c!))[0]).toMatchObject({ status: "active", waitlistPosition: null });
    expect((await position(d!))[0]).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });
    expect((await position(e!))[0]).toMatchObject({ status: "waitlisted", waitlistPosition: 2 });
    // The promotion is the system's change, not the canceller's.
    expect((await history(ids[2]!)).at(-1)).toMatchObject({
      actionType: "StatusChanged",
      changedBy: null,
      changeReason: "Promoted from the waitlist: a seat was freed",
      oldValues: { status: "waitlisted" },
      newValues: { status: "active" },
    });

    // Leaving the queue touches no seat; the rest move up.
    await cancel(event.id, d!);
    expect(await seatFacts(rt.db, event.id)).toMatchObject({ seatsTaken: 2, byStatus: { active: 2, cancelled: 2, waitlisted: 1 } });
    expect((await position(e!))[0]).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });
  });

  it("re-registering after a cancellation reactivates the same row, at the back of the queue when full", async () => {
    const event = await makeEvent(rt.db, organizer, { capacity: 1, waitlistEnabled: true });
    const [a, b, c] = await makeMembers(rt.db, 3, "back");
    const first = await rsvp(event.id, a!);
    await rsvp(event.id, b!);
    await cancel(event.id, a!); // b is promoted
    await rsvp(event.id, c!); // c queues first
    const again = await rsvp(event.id, a!);
    expect(again).toMatchObject({
      status: 201,
      body: { id: first.body.id, status: "waitlisted", waitlistPosition: 2, cancelledAt: null, createdAt: first.body.createdAt },
    });
    await cancel(event.id, b!); // c, who queued before a's return, goes first
    expect(
      await rt.db.selectFrom("participations").select(["userId", "status"]).where("eventId", "=", event.id).orderBy("userId").execute(),
    ).toEqual(
      expect.arrayContaining([
        { userId: c!.userId, status: "active" },
        { userId: a!.userId, status: "waitlisted" },
      ]),
    );
    expect((await history(first.body.id as string)).map((h) => h.actionType)).toEqual(["Created", "Cancelled", "StatusChanged"]);

    const roomy = await makeEvent(rt.db, organizer, { capacity: 5 });
    const one = await rsvp(roomy.id, a!);
    await cancel(roomy.id, a!);
    expect(await rsvp(roomy.id, a!)).toMatchObject({ status: 201, body: { id: one.body.id, status: "active" } });
    expect(await seatFacts(rt.db, roomy.id)).toMatchObject({ seatsTaken: 1 });
  });
});
