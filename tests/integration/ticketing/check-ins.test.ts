// Check-ins over HTTP: 201 once, then 200 with the very same check-in, also under a race; only
// active participations of the event; the participation shows when it was checked in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeActor, makeEvent, type TestActor } from "../../support/fixtures";
import { call, makeMembers } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";

let rt: TestRuntime;
let organizer: TestActor;
let admin: TestActor;
beforeAll(async () => {
  rt = await startTestRuntime();
  organizer = await makeActor(rt.db, { role: "organizer" });
  admin = await makeActor(rt.db, { role: "admin" });
});
afterAll(() => rt.stop());

const MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const checkIn = (eventId: string, participationId: unknown, as: TestActor = organizer) =>
  call(rt, "POST", `/events/${eventId}/check-ins`, as, { participationId });

/** `n` new members RSVP in turn: their participation ids and the members, in that order. */
async function rsvpd(eventId: string, prefix: string, n = 1): Promise<{ ids: string[]; members: TestActor[] }> {
  const members = await makeMembers(rt.db, n, prefix);
  const ids: string[] = [];
  for (const m of members) ids.push((await call(rt, "POST", `/events/${eventId}/rsvp`, m)).body.id as string);
  return { ids, members };
}

describe("POST /events/{eventId}/check-ins", () => {
  it("checks in once: 201, then 200 with the same body for anyone who repeats it", async () => {
    const event = await makeEvent(rt.db, organizer);
    const {
      ids: [pid],
    } = await rsvpd(event.id, "door");
    const first = await checkIn(event.id, pid);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(String),
      participationId: pid,
      checkedInAt: expect.stringMatching(MICROS),
      checkedInBy: organizer.userId,
    });
    expect(await checkIn(event.id, pid)).toEqual({ status: 200, body: first.body });
    expect(await checkIn(event.id, pid, admin)).toEqual({ status: 200, body: first.body });

    const list = await call(rt, "GET", `/events/${event.id}/participants`, organizer);
    expect((list.body.items as { id: string; checkedInAt: string }[]).find((p) => p.id === pid)?.checkedInAt).toBe(first.body.checkedInAt);
  });

  it("a concurrent double (tenfold) check-in writes one row and answers one 201", async () => {
    const event = await makeEvent(rt.db, organizer);
    const {
      ids: [pid],
    } = await rsvpd(event.id, "race");
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => checkIn(event.id, pid, i % 2 ? admin : organizer)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await rt.db.selectFrom("checkIns").select("id").where("participationId", "=", pid!).execute()).toHaveLength(1);
  });

  it("is 409 not_active for waitlisted or cancelled participations, writing nothing", async () => {
    const event = await makeEvent(rt.db, organizer, { capacity: 1, waitlistEnabled: true });
    const {
      ids: [seated, queued],
      members: [holder, waiter],
    } = await rsvpd(event.id, "inactive", 2);
    expect(await checkIn(event.id, queued)).toMatchObject({ status: 409, body: { code: "not_active" } });
    await call(rt, "DELETE", `/events/${event.id}/rsvp`, waiter!);
    await call(rt, "DELETE", `/events/${event.id}/rsvp`, holder!);
    for (const pid of [seated, queued]) expect(await checkIn(event.id, pid)).toMatchObject({ status: 409, body: { code: "not_active" } });
    expect(await rt.db.selectFrom("checkIns").select("id").where("participationId", "in", [seated!, queued!]).execute()).toEqual([]);
  });

  it("is 404 for a participation of another event or none at all", async () => {
    const event = await makeEvent(rt.db, organizer);
    const other = await makeEvent(rt.db, organizer);
    const {
      ids: [elsewhere],
    } = await rsvpd(other.id, "elsewhere");
    expect(await checkIn(event.id, elsewhere)).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect(await checkIn(event.id, "0b6f4b7e-5f39-4c4f-8d1e-9c8a7b6a5f41")).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect(await rt.db.selectFrom("checkIns").select("id").where("participationId", "=", elsewhere!).execute()).toEqual([]);
  });
});
