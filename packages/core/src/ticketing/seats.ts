// Seat counters (docs/ARCHITECTURE.md, invariant 1): seats are taken by conditional UPDATEs, event row first,
// then ticket type, always in that order; the CHECK constraints are the last line of defence.
import { sql } from "kysely";
import pLimit, { type LimitFunction } from "p-limit";
import type { Trx } from "../db/transaction";

export interface SeatRequest {
  eventId: string;
  /** Null for RSVPs: only the event's capacity applies. */
  ticketTypeId: string | null;
  quantity: number;
}

/**
 * Takes `quantity` seats on a published event (and its ticket type) or nothing at all.
 * Returns false when either counter has no room; the transaction stays usable.
 *
 * Both counters move in ONE statement: the event row's lock is the hottest lock of a sale, and
 * it is held from this statement to COMMIT, so every round trip saved here is throughput on a
 * single event. The ticket-type UPDATE depends on the event UPDATE (EXISTS), which keeps the lock
 * order event → ticket type.
 */
export async function takeSeats(trx: Trx, req: SeatRequest): Promise<boolean> {
  if (!req.ticketTypeId) {
    const event = await trx
      .updateTable("events")
      .set({ seatsTaken: sql`seats_taken + ${req.quantity}` })
      .where("id", "=", req.eventId)
      .where("status", "=", "published")
      .where(sql<boolean>`seats_taken + ${req.quantity} <= capacity`)
      .returning("id")
      .executeTakeFirst();
    return event !== undefined;
  }
  const { rows } = await sql<{ seat: boolean; type: boolean }>`
    WITH seat AS (
      UPDATE events SET seats_taken = seats_taken + ${req.quantity}
      WHERE id = ${req.eventId} AND status = 'published' AND seats_taken + ${req.quantity} <= capacity
      RETURNING id
    ), type AS (
      UPDATE ticket_types SET quantity_taken = quantity_taken + ${req.quantity}
      WHERE id = ${req.ticketTypeId} AND event_id = ${req.eventId} AND EXISTS (SELECT 1 FROM seat)
        AND (quantity IS NULL OR quantity_taken + ${req.quantity} <= quantity)
      RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM seat) AS seat, EXISTS (SELECT 1 FROM type) AS type`.execute(trx);
  const taken = rows[0];
  if (taken?.seat && taken.type) return true;
  // The event row is already locked by this transaction: give its seats back at once.
  if (taken?.seat) await decrementEvent(trx, req);
  return false;
}

/** Gives seats back. Callers guarantee exactly-once by first moving the participation's status. */
export async function releaseSeats(trx: Trx, req: SeatRequest): Promise<void> {
  await decrementEvent(trx, req);
  if (req.ticketTypeId) {
    await trx
      .updateTable("ticketTypes")
      .set({ quantityTaken: sql`quantity_taken - ${req.quantity}` })
      .where("id", "=", req.ticketTypeId)
      .execute();
  }
}

async function decrementEvent(trx: Trx, req: SeatRequest): Promise<void> {
  await trx
    .updateTable("events")
    .set({ seatsTaken: sql`seats_taken - ${req.quantity}` })
    .where("id", "=", req.eventId)
    .execute();
}

/**
 * Locks the event row (FOR NO KEY UPDATE: the lock a seat UPDATE takes) and reads its counters.
 * For decisions that must not race a concurrent release-and-promote, such as joining the waitlist.
 */
export const lockEventSeats = (trx: Trx, eventId: string) =>
  trx
    .selectFrom("events")
    .select(["status", "capacity", "seatsTaken", "waitlistEnabled"])
    .where("id", "=", eventId)
    .forNoKeyUpdate()
    .executeTakeFirst();

/**
 * How many of this process's seat-taking statements may queue on one event row at once. Measured
 * on one event (two cores, embedded PostgreSQL): 64 holds at once on the row reached a fifth of the
 * holds/s of 16, while the same 64 let through 8 at a time kept the rate of 16 and cut p99 tenfold.
 * Waiting here is a promise; waiting in PostgreSQL's lock queue is a backend that every commit on
 * the row wakes. A Lambda container sends one request at a time, so this bounds the local runtime,
 * jobs and tests only. In AWS nothing bounds it yet: the orders route has no reserved concurrency,
 * so a rush queues on the row lock as deep as Lambda scales (RDS Proxy's connection cap is the
 * only limit); see docs/PERFORMANCE.md, stage 8.
 */
const ROW_QUEUE = 8;
const gates = new Map<string, LimitFunction>();

/** Runs `work` (one short statement or transaction that takes seats) when the event's gate lets it through. */
export async function onEventRow<T>(eventId: string, work: () => Promise<T>): Promise<T> {
  let gate = gates.get(eventId);
  if (!gate) {
    gate = pLimit(ROW_QUEUE);
    gates.set(eventId, gate);
  }
  try {
    return await gate(work);
  } finally {
    if (gate.activeCount === 0 && gate.pendingCount === 0) gates.delete(eventId);
  }
}
