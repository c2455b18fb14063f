// No oversell under load, through the real handlers over HTTP (docs/ARCHITECTURE.md, invariants 1 and 5):
// hundreds of simultaneous RSVPs, cancellations and re-registrations on one event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { participationViews } from "@evently/core/ticketing";
import { makeActor, makeEvent, type TestActor } from "../../support/fixtures";
import { callAll, countBy, makeMembers, queueFacts, seatFacts } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";

// Enough connections that requests wait on the event row lock, not on the pool.
process.env.DB_POOL_MAX = "80";

let rt: TestRuntime;
let organizer: TestActor;
let members: TestActor[];
let waitlistEvent: string;

beforeAll(async () => {
  rt = await startTestRuntime();
  organizer = await makeActor(rt.db, { role: "organizer" });
  members = await makeMembers(rt.db, 400, "crowd");
  // Warm up (handler modules loaded, pool connections open) so the timings measure RSVPs only.
  const warm = (await makeEvent(rt.db, organizer, { capacity: 1000 })).id;
  await callAll(rt, members.slice(0, 80), "POST", `/events/${warm}/rsvp`);
});
afterAll(() => rt.stop());

const noServerErrors = (results: { status: number }[]) => expect(results.filter((r) => r.status >= 500)).toEqual([]);

// Generous: these run hundreds of requests on a machine shared with other test files.
describe("300 simultaneous RSVPs for 50 seats", { timeout: 120_000 }, () => {
  it("with a waitlist: exactly 50 active and 250 waitlisted at positions 1–250", async () => {
    waitlistEvent = (await makeEvent(rt.db, organizer, { capacity: 50, waitlistEnabled: true })).id;
    const crowd = members.slice(0, 300);
    const { results, ms } = await callAll(rt, crowd, "POST", `/events/${waitlistEvent}/rsvp`);
    console.log(`300 concurrent RSVPs (waitlist on) took ${ms.toFixed(0)} ms`);

    noServerErrors(results);
    expect(countBy(results, (r) => String(r.status))).toEqual({ "201": 300 });
    expect(countBy(results, (r) => String(r.body.status))).toEqual({ active: 50, waitlisted: 250 });
    const positions = results.filter((r) => r.body.status === "waitlisted").map((r) => r.body.waitlistPosition as number);
    expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));

    const facts = await seatFacts(rt.db, waitlistEvent);
    expect(facts).toMatchObject({ seatsTaken: 50, held: 50, byStatus: { active: 50, waitlisted: 250 } });
  });

  it("without a waitlist: exactly 50 active, 250 × 409 event_full, nothing else written", async () => {
    const eventId = (await makeEvent(rt.db, organizer, { capacity: 50, waitlistEnabled: false })).id;
    const { results, ms } = await callAll(rt, members.slice(100, 400), "POST", `/events/${eventId}/rsvp`);
    console.log(`300 concurrent RSVPs (no waitlist) took ${ms.toFixed(0)} ms`);

    noServerErrors(results);
    expect(countBy(results, (r) => `${r.status} ${String(r.status === 201 ? r.body.status : r.body.code)}`)).toEqual({
      "201 active": 50,
      "409 event_full": 250,
    });
    expect(await seatFacts(rt.db, eventId)).toMatchObject({ seatsTaken: 50, held: 50, byStatus: { active: 50 } });
  });
});

describe("churn on the full event with its waitlist", { timeout: 120_000 }, () => {
  it("cancellations, new RSVPs and re-registrations at once keep the counters exact and the queue in order", async () => {
    const rows = await rt.db.selectFrom("participations").select(["userId", "status"]).where("eventId", "=", waitlistEvent).execute();
    const statusOf = new Map(rows.map((r) => [r.userId, r.status]));
    const active = members.filter((m) => statusOf.get(m.userId) === "active");
    const waiting = members.filter((m) => statusOf.get(m.userId) === "waitlisted");
    const newcomers = members.slice(300, 350);
    const path = `/events/${waitlistEvent}/rsvp`;

    // Round 1: 30 seat holders and 20 of the queue leave while 50 newcomers RSVP.
    const leaving = [...active.slice(0, 30), ...waiting.slice(0, 20)];
    const [cancels, joins] = await Promise.all([callAll(rt, leaving, "DELETE", path), callAll(rt, newcomers, "POST", path)]);
    noServerErrors([...cancels.results, ...joins.results]);
    expect(cancels.results.map((r) => `${r.status} ${String(r.body.status)}`)).toEqual(leaving.map(() => "200 cancelled"));
    expect(countBy(joins.results, (r) => `${r.status} ${String(r.body.status)}`)).toEqual({ "201 waitlisted": 50 });
    await expectConsistent(waitlistEvent);

    // Round 2: everyone who left comes back (same rows, reactivated) while 20 more seat holders leave.
    const idsBefore = await rt.db.selectFrom("participations").select(["userId", "id"]).where("eventId", "=", waitlistEvent).execute();
    const nowActive = new Map(
      (await rt.db.selectFrom("participations").select(["userId", "status"]).where("eventId", "=", waitlistEvent).execute()).map((r) => [
        r.userId,
        r.status,
      ]),
    );
    const leavingNow = members.filter((m) => nowActive.get(m.userId) === "active").slice(0, 20);
    const [back, gone] = await Promise.all([callAll(rt, leaving, "POST", path), callAll(rt, leavingNow, "DELETE", path)]);
    noServerErrors([...back.results, ...gone.results]);
    expect(back.results.every((r) => r.status === 201 && r.body.status === "waitlisted")).toBe(true);
    expect(gone.results.every((r) => r.status === 200 && r.body.status === "cancelled")).toBe(true);
    await expectConsistent(waitlistEvent);

    const idsAfter = await rt.db.selectFrom("participations").select(["userId", "id"]).where("eventId", "=", waitlistEvent).execute();
    expect(new Map(idsAfter.map((r) => [r.userId, r.id]))).toEqual(new Map(idsBefore.map((r) => [r.userId, r.id])));
  });
});

describe("one user racing themselves", { timeout: 120_000 }, () => {
  it("ten simultaneous RSVPs from one member make one participation, whether seats remain or not", async () => {
    for (const capacity of [5, 1]) {
      const eventId = (await makeEvent(rt.db, organizer, { capacity, waitlistEnabled: true })).id;
      if (capacity === 1) await callAll(rt, [members[399]!], "POST", `/events/${eventId}/rsvp`);
      const me = members[398]!;
      const { results } = await callAll(
        rt,
        Array.from({ length: 10 }, () => me),
        "POST",
        `/events/${eventId}/rsvp`,
      );
      noServerErrors(results);
      expect(countBy(results, (r) => String(r.status === 201 ? r.body.status : r.body.code))).toEqual({
        [capacity === 1 ? "waitlisted" : "active"]: 1,
        already_registered: 9,
      });
      await expectConsistent(eventId);
    }
  });

  it("cancelling and re-registering at once, over and over, never leaks or doubles a seat", async () => {
    const eventId = (await makeEvent(rt.db, organizer, { capacity: 3, waitlistEnabled: true })).id;
    const racers = members.slice(360, 366);
    await callAll(rt, racers, "POST", `/events/${eventId}/rsvp`); // 3 seated, 3 queued
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        callAll(rt, [...racers, ...racers], "DELETE", `/events/${eventId}/rsvp`),
        callAll(rt, [...racers, ...racers], "POST", `/events/${eventId}/rsvp`),
      ]);
      noServerErrors([...a.results, ...b.results]);
      await expectConsistent(eventId);
    }
  });
});

/** seats_taken equals what pending + active rows hold, never above capacity, no seat free while anyone waits. */
async function expectConsistent(eventId: string) {
  const facts = await seatFacts(rt.db, eventId);
  expect(facts.seatsTaken).toBe(facts.held);
  expect(facts.seatsTaken).toBeLessThanOrEqual(facts.capacity);
  if ((facts.byStatus.waitlisted ?? 0) > 0) expect(facts.seatsTaken).toBe(facts.capacity);
  const queue = await queueFacts(rt.db, eventId);
  expect(queue.promotedBeforeWaiting).toBe(true);
  // Positions renumber by themselves: 1..n in queue order, whatever left the queue.
  const views = await participationViews(
    rt.db,
    queue.waiting.map((w) => w.id),
  );
  expect(views.map((v) => v.waitlistPosition)).toEqual(queue.waiting.map((_, i) => i + 1));
}
