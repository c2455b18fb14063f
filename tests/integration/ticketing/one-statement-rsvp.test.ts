// RSVP and its cancellation as one server-side call each (place_rsvp, cancel_rsvp): one round trip
// per call, answers equal to the resource read back, exactly capacity under a rush, the mail rows
// notify.ts would write, and every status change in the history with who, from where and why.
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { participationContext } from "@evently/core/mail/context";
import { cancelRsvp, participationView, registerRsvp, type ParticipationView } from "@evently/core/ticketing";
import { useTransaction } from "@evently/core/db/transaction";
import { captureQueries, tracePg, type TracedQuery } from "../../bench/lib/pg-trace";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { makeActor, makeEvent, type TestActor } from "../../support/fixtures";
import { countBy, queueFacts, seatFacts } from "../../support/participation-fixtures";

let t: TestDatabase;
let organizer: TestActor;
beforeAll(async () => {
  // Enough connections for the rush to queue on the event row, not on the pool.
  t = await createTestDatabase({ poolSize: 60 });
  organizer = await makeActor(t.db, { role: "organizer" });
});
afterAll(() => t.destroy());

const client = { ip: "203.0.113.7", userAgent: "one-statement-test" };
const members = (n: number) => Promise.all(Array.from({ length: n }, () => makeActor(t.db)));
const outbox = (participationId: string) =>
  t.db
    .selectFrom("outbox")
    .select(["kind", "recipient", "payload"])
    .where("participationId", "=", participationId)
    .orderBy("createdAt")
    .execute();
const history = (participationId: string) =>
  t.db
    .selectFrom("participationHistory")
    .select(["actionType", "changedBy", "changeReason", "ipAddress", "userAgent", sql<string>`new_values->>'status'`.as("status")])
    .where("participationId", "=", participationId)
    .orderBy("createdAt")
    .execute();

describe("one round trip per call", () => {
  it("register (seat or waitlist) and cancel each send one statement, and answer what a read gives", async () => {
    const event = await makeEvent(t.db, organizer, { capacity: 1, waitlistEnabled: true });
    const [seated, queued] = await members(2);
    for (const [who, status] of [
      [seated!, "active"],
      [queued!, "waitlisted"],
    ] as const) {
      const { result, queries } = await captureQueries(() => registerRsvp(t.db, who, { eventId: event.id, ...client }));
      expect(queries.map((q) => q.text)).toEqual([expect.stringContaining("place_rsvp(")]);
      expect(result.status).toBe(status);
      expect(result).toEqual(await participationView(t.db, result.id));
    }
    const { result, queries } = await captureQueries(() => cancelRsvp(t.db, seated!, { eventId: event.id, reason: "Plans changed" }));
    expect(queries.map((q) => q.text)).toEqual([expect.stringContaining("cancel_rsvp(")]);
    expect(result).toMatchObject({ status: "cancelled", cancelledAt: expect.any(String) });
    expect(result).toEqual(await participationView(t.db, result.id));
  });

  it("a hot-path RSVP that loses the last seat decides again under the lock: two statements, waitlisted", async () => {
    const event = await makeEvent(t.db, organizer, { capacity: 1, waitlistEnabled: true });
    const [first, second] = await members(2);
    const [pin, watcher] = [new pg.Client(t.url), new pg.Client(t.url)];
    await Promise.all([pin.connect(), watcher.connect()]);
    const queries: TracedQuery[] = [];
    const stop = tracePg((q) => queries.push(q));
    let late: ParticipationView;
    try {
      // Marks this test's own connections, so only the product's statements are counted.
      await Promise.all([pin.query(MARK), watcher.query(MARK)]);
      // The last seat taken but not committed: `second` reads the event as free, then waits on its row.
      await pin.query("BEGIN");
      await pin.query("UPDATE events SET seats_taken = seats_taken + 1 WHERE id = $1", [event.id]);
      await pin.query("INSERT INTO participations (event_id, user_id, kind, status) VALUES ($1, $2, 'rsvp', 'active')", [
        event.id,
        first!.userId,
      ]);
      const registering = registerRsvp(t.db, second!, { eventId: event.id });
      await waitForLockWait(watcher);
      await pin.query("COMMIT");
      late = await registering;
    } finally {
      stop();
      await Promise.all([pin.end(), watcher.end()]);
    }
    const ours = new Set(queries.filter((q) => q.text === MARK).map((q) => q.connection));
    const product = queries.filter((q) => !ours.has(q.connection)).map((q) => q.text);
    expect(product).toEqual([expect.stringContaining("place_rsvp("), expect.stringContaining("place_rsvp(")]);
    expect(late).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });
    expect(await seatFacts(t.db, event.id)).toMatchObject({ seatsTaken: 1, held: 1, byStatus: { active: 1, waitlisted: 1 } });
    expect((await outbox(late.id)).map((m) => m.kind)).toEqual(["waitlist_joined"]);
  });
});

const MARK = "SELECT 'test connection'";

/** Polls (bounded) until an RSVP call waits for a lock in this database. */
async function waitForLockWait(watcher: pg.Client): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { rows } = await watcher.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE wait_event_type = 'Lock' AND query LIKE '%place_rsvp(%' AND datname = current_database()`,
    );
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("no RSVP waited for the event row within 10 s");
}

describe("50 simultaneous RSVPs for 10 seats", () => {
  it("with a waitlist: exactly 10 active, 40 waitlisted at positions 1–40, counters equal rows", async () => {
    const event = await makeEvent(t.db, organizer, { capacity: 10, waitlistEnabled: true });
    const crowd = await members(50);
    const views = await Promise.all(crowd.map((m) => registerRsvp(t.db, m, { eventId: event.id })));
    expect(countBy(views, (v) => v.status)).toEqual({ active: 10, waitlisted: 40 });
    const positions = views.flatMap((v) => (v.waitlistPosition === null ? [] : [v.waitlistPosition]));
    expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await seatFacts(t.db, event.id)).toMatchObject({ seatsTaken: 10, held: 10, byStatus: { active: 10, waitlisted: 40 } });
    // Each answer's position is the row's place in the queue as a later read sees it.
    for (const v of views) expect(v).toEqual(await participationView(t.db, v.id));
  });

  it("without a waitlist: exactly 10 active, 40 × event_full, and the refused calls left no row or mail", async () => {
    const event = await makeEvent(t.db, organizer, { capacity: 10 });
    const crowd = await members(50);
    const answers = await Promise.allSettled(crowd.map((m) => registerRsvp(t.db, m, { eventId: event.id })));
    expect(countBy(answers, (a) => (a.status === "fulfilled" ? a.value.status : (a.reason as { code: string }).code))).toEqual({
      active: 10,
      event_full: 40,
    });
    expect(await seatFacts(t.db, event.id)).toMatchObject({ seatsTaken: 10, held: 10, byStatus: { active: 10 } });
    const mails = await t.db.selectFrom("outbox").select("kind").where("eventId", "=", event.id).execute();
    expect(mails).toHaveLength(10);
  });

  it("cancellations racing newcomers: each freed seat goes to the queue's head, never to a newcomer", async () => {
    const event = await makeEvent(t.db, organizer, { capacity: 10, waitlistEnabled: true });
    const [holders, waiters, newcomers] = [await members(10), await members(5), await members(20)];
    for (const m of [...holders, ...waiters]) await registerRsvp(t.db, m, { eventId: event.id });
    const joined = await Promise.all([
      ...holders.slice(0, 5).map((m) => cancelRsvp(t.db, m, { eventId: event.id })),
      ...newcomers.map((m) => registerRsvp(t.db, m, { eventId: event.id })),
    ]);
    expect(countBy(joined.slice(5), (v) => v.status)).toEqual({ waitlisted: 20 });
    const statuses = await t.db
      .selectFrom("participations")
      .select("status")
      .where(
        "userId",
        "in",
        waiters.map((w) => w.userId),
      )
      .execute();
    expect(statuses.map((s) => s.status)).toEqual(Array.from({ length: 5 }, () => "active"));
    expect(await seatFacts(t.db, event.id)).toMatchObject({ seatsTaken: 10, held: 10, byStatus: { cancelled: 5, waitlisted: 20 } });
    expect((await queueFacts(t.db, event.id)).promotedBeforeWaiting).toBe(true);
  });
});

describe("what the call writes besides the seat", () => {
  it("every status change is in the history with who, from where and why; promotions are the system's", async () => {
    const event = await makeEvent(t.db, organizer, { capacity: 1, waitlistEnabled: true });
    const [holder, waiter] = await members(2);
    const seat = await registerRsvp(t.db, holder!, { eventId: event.id, ...client });
    const queue = await registerRsvp(t.db, waiter!, { eventId: event.id, ...client });
    await cancelRsvp(t.db, holder!, { eventId: event.id, ...client, reason: "Cannot come" });
    const mine = { changedBy: holder!.userId, ipAddress: client.ip, userAgent: client.userAgent };
    expect(await history(seat.id)).toEqual([
      { actionType: "Created", status: "active", changeReason: "RSVP", ...mine },
      { actionType: "Cancelled", status: "cancelled", changeReason: "Cannot come", ...mine },
    ]);
    expect(await history(queue.id)).toEqual([
      {
        actionType: "Created",
        status: "waitlisted",
        changeReason: "RSVP",
        changedBy: waiter!.userId,
        ipAddress: client.ip,
        userAgent: client.userAgent,
      },
      {
        actionType: "StatusChanged",
        status: "active",
        changeReason: "Promoted from the waitlist: a seat was freed",
        changedBy: null,
        ipAddress: null,
        userAgent: null,
      },
    ]);
  });

  it("the mail rows carry the payload notify.ts builds, to the member, once per cause", async () => {
    const event = await makeEvent(t.db, organizer, { capacity: 1, waitlistEnabled: true, location: "Hall B" });
    const [holder, waiter] = await members(2);
    const seat = await registerRsvp(t.db, holder!, { eventId: event.id });
    const queue = await registerRsvp(t.db, waiter!, { eventId: event.id });
    const [confirmed] = await outbox(seat.id);
    const [joined] = await outbox(queue.id);
    const expected = async (id: string) => {
      const ctx = (await useTransaction(t.db, (trx) => participationContext(trx, id)))!;
      return { event: ctx.event, participation: ctx.participation };
    };
    expect(confirmed).toEqual({ kind: "rsvp_confirmed", recipient: holder!.email, payload: await expected(seat.id) });
    expect(joined).toEqual({ kind: "waitlist_joined", recipient: waiter!.email, payload: await expected(queue.id) });
    await cancelRsvp(t.db, holder!, { eventId: event.id });
    await cancelRsvp(t.db, holder!, { eventId: event.id });
    const promoted = await outbox(queue.id);
    expect(promoted.map((m) => m.kind)).toEqual(["waitlist_joined", "waitlist_promoted"]);
    expect(promoted[1]!.payload).toEqual({ ...(await expected(queue.id)), order: null });
    expect(await outbox(seat.id)).toHaveLength(1);
  });

  it("a refused RSVP writes nothing: already registered, ended, ticketed, draft", async () => {
    const event = await makeEvent(t.db, organizer, { capacity: 5 });
    const [member] = await members(1);
    const first = await registerRsvp(t.db, member!, { eventId: event.id, ...client });
    await expect(registerRsvp(t.db, member!, { eventId: event.id, ...client })).rejects.toMatchObject({ code: "already_registered" });
    expect(await history(first.id)).toHaveLength(1);
    expect(await outbox(first.id)).toHaveLength(1);
    expect(await seatFacts(t.db, event.id)).toMatchObject({ seatsTaken: 1, held: 1 });
    const draft = await makeEvent(t.db, organizer, { status: "draft" });
    await expect(registerRsvp(t.db, member!, { eventId: draft.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(cancelRsvp(t.db, member!, { eventId: draft.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(cancelRsvp(t.db, organizer, { eventId: event.id })).rejects.toMatchObject({ code: "not_registered" });
  });
});
