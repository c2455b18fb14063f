// Helpers for the participation tests: many members at once, RSVP calls over HTTP, and the
// database-side facts (seat counters, statuses, queue order) the invariants are stated in.
import { sql } from "kysely";
import type { Db } from "@evently/core/db/client";
import type { ParticipationStatus } from "@evently/core/ticketing/ticketing.table";
import { signLocalToken } from "@evently/local/tokens";
import { makeActor, type TestActor } from "./fixtures";
import type { TestRuntime } from "./runtime";

/** `n` members with distinct subs, created like the API creates them, in parallel batches. */
export async function makeMembers(db: Db, n: number, prefix: string): Promise<TestActor[]> {
  const members: TestActor[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => makeActor(db, { sub: `${prefix}-${i + j}` }));
    members.push(...(await Promise.all(batch)));
  }
  return members;
}

export interface Called {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Fires one request per actor all at once, tokens signed beforehand so the requests leave
 * together, and returns the responses in actor order plus the wall time they took.
 */
export async function callAll(
  rt: TestRuntime,
  actors: readonly TestActor[],
  method: string,
  path: string | ((actor: TestActor) => string),
  body?: unknown,
): Promise<{ results: Called[]; ms: number }> {
  const tokens = await Promise.all(actors.map((a) => signLocalToken(a.as)));
  const started = performance.now();
  const results = await Promise.all(
    actors.map(async (actor, i) => {
      const res = await fetch(`${rt.apiUrl}${typeof path === "string" ? path : path(actor)}`, {
        method,
        headers: { authorization: `Bearer ${tokens[i]}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }),
  );
  return { results, ms: performance.now() - started };
}

/** One call, JSON body parsed. */
export async function call(rt: TestRuntime, method: string, path: string, as?: TestActor, body?: unknown): Promise<Called> {
  const res = await rt.call(method, path, { ...(as ? { as: as.as } : {}), ...(body !== undefined ? { body } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> =>
  items.reduce<Record<string, number>>((acc, item) => ((acc[key(item)] = (acc[key(item)] ?? 0) + 1), acc), {});

export interface SeatFacts {
  capacity: number;
  seatsTaken: number;
  /** Sum of quantities of pending + active participations: what seats_taken must equal. */
  held: number;
  byStatus: Partial<Record<ParticipationStatus, number>>;
}

export async function seatFacts(db: Db, eventId: string): Promise<SeatFacts> {
  const event = await db.selectFrom("events").select(["capacity", "seatsTaken"]).where("id", "=", eventId).executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom("participations")
    .select(["status", sql<number>`count(*)::int`.as("n"), sql<number>`sum(quantity)::int`.as("q")])
    .where("eventId", "=", eventId)
    .groupBy("status")
    .execute();
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  const held = rows.filter((r) => r.status === "active" || r.status === "pending").reduce((sum, r) => sum + r.q, 0);
  return { capacity: event.capacity, seatsTaken: event.seatsTaken, held, byStatus };
}

/**
 * The queue invariants: who is waiting in (waitlisted_at, id) order, and whether every promoted
 * row (active, still carrying its waitlisted_at) joined the queue before everyone still waiting.
 */
export async function queueFacts(db: Db, eventId: string) {
  const waiting = await db
    .selectFrom("participations")
    .select(["id", "userId"])
    .where("eventId", "=", eventId)
    .where("status", "=", "waitlisted")
    .orderBy("waitlistedAt")
    .orderBy("id")
    .execute();
  // In SQL: the comparison needs the microseconds a JS Date drops.
  const { rows } = await sql<{ jumped: number }>`
    SELECT count(*)::int AS jumped
    FROM participations a JOIN participations w ON w.event_id = a.event_id
    WHERE a.event_id = ${eventId} AND a.status = 'active' AND a.waitlisted_at IS NOT NULL
      AND w.status = 'waitlisted' AND (a.waitlisted_at, a.id) > (w.waitlisted_at, w.id)`.execute(db);
  return { waiting, promotedBeforeWaiting: rows[0]?.jumped === 0 };
}
