// 200 buyers at once for 20 seats, through the local runtime: exactly 20 holds and 20 intents.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sql } from "kysely";
import { createPaidEvent } from "../support/paid-event";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
beforeAll(async () => (rt = await startTestRuntime()));
afterAll(() => rt.stop());

it("never oversells: 200 simultaneous orders for 20 seats", async () => {
  const event = await createPaidEvent(rt.db, { capacity: 20 });
  const responses = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      rt.call("POST", `/events/${event.eventId}/orders`, {
        as: { sub: `rush-${i}` },
        headers: { "idempotency-key": randomUUID() },
        body: { ticketTypeId: event.ticketTypeId, quantity: 1 },
      }),
    ),
  );
  const statuses = responses.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(20);
  expect(statuses.filter((s) => s === 409)).toHaveLength(180);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);

  const ev = await rt.db.selectFrom("events").select("seatsTaken").where("id", "=", event.eventId).executeTakeFirstOrThrow();
  expect(ev.seatsTaken).toBe(20);
  const { rows } = await sql<{ holds: number; intents: number; distinctIntents: number }>`
    SELECT count(*) FILTER (WHERE p.status = 'pending')::int AS holds,
           count(pay.provider_payment_id_hash)::int AS intents,
           count(DISTINCT pay.provider_payment_id_hash)::int AS distinct_intents
    FROM participations p JOIN orders o ON o.participation_id = p.id JOIN payments pay ON pay.order_id = o.id
    WHERE p.event_id = ${event.eventId}`.execute(rt.db);
  expect(rows[0]).toEqual({ holds: 20, intents: 20, distinctIntents: 20 });
  // Rolled-back attempts leave nothing behind.
  const orphans = await rt.db
    .selectFrom("participations")
    .select("id")
    .where("eventId", "=", event.eventId)
    .where("status", "!=", "pending")
    .execute();
  expect(orphans).toEqual([]);
});

it("the ticket type's own quantity caps sales below the event's capacity, counters stay equal", async () => {
  const event = await createPaidEvent(rt.db, { capacity: 50, quantity: 10 });
  const responses = await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      rt.call("POST", `/events/${event.eventId}/orders`, {
        as: { sub: `typed-${i}` },
        headers: { "idempotency-key": randomUUID() },
        body: { ticketTypeId: event.ticketTypeId, quantity: 1 },
      }),
    ),
  );
  expect(responses.filter((r) => r.status === 201)).toHaveLength(10);
  expect(responses.filter((r) => r.status >= 500)).toEqual([]);
  const ev = await rt.db.selectFrom("events").select("seatsTaken").where("id", "=", event.eventId).executeTakeFirstOrThrow();
  const type = await rt.db.selectFrom("ticketTypes").select("quantityTaken").where("id", "=", event.ticketTypeId).executeTakeFirstOrThrow();
  expect([ev.seatsTaken, type.quantityTaken]).toEqual([10, 10]);
});
