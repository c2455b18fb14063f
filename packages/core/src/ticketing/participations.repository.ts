// Participation queries shared by RSVP, orders, holds and the waitlist.
import { sql } from "kysely";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import type { Participation, ParticipationStatus } from "./ticketing.table";

/** Hold deadlines come from the database clock, the same clock the expiry job compares with. */
export const holdUntil = (ttlSeconds: number) => sql<Date>`now() + make_interval(secs => ${ttlSeconds})`;

export const SEAT_HOLDING: readonly ParticipationStatus[] = ["pending", "active"];

export interface Transition {
  from: readonly ParticipationStatus[];
  to: ParticipationStatus;
  reason?: string | null;
  /** For `pending`: the hold lasts this long from the database's clock. */
  holdTtlSeconds?: number;
  actorId?: string | null;
}

/**
 * Moves one participation between statuses with a conditional UPDATE: of two concurrent callers
 * only one gets the row back, which is what makes "release exactly once" hold.
 */
export async function transition(trx: Trx, id: string, t: Transition): Promise<Participation | undefined> {
  const cancelling = t.to === "cancelled" || t.to === "refunded";
  return trx
    .updateTable("participations")
    .set({
      status: t.to,
      cancelledAt: cancelling ? sql<Date>`now()` : null,
      cancellationReason: cancelling ? (t.reason ?? null) : null,
      holdExpiresAt: t.to === "pending" ? holdUntil(t.holdTtlSeconds ?? 0) : null,
      ...(t.to === "waitlisted" ? { waitlistedAt: sql<Date>`clock_timestamp()` } : {}),
      ...(t.actorId !== undefined ? { updatedBy: t.actorId } : {}),
    })
    .where("id", "=", id)
    .where("status", "in", [...t.from])
    .returningAll()
    .executeTakeFirst();
}

export const fromId = (db: Db | Trx, id: string) => db.selectFrom("participations").selectAll().where("id", "=", id).executeTakeFirst();

export const fromUserAndEvent = (db: Db | Trx, userId: string, eventId: string) =>
  db.selectFrom("participations").selectAll().where("userId", "=", userId).where("eventId", "=", eventId).executeTakeFirst();

export interface NewRsvp {
  eventId: string;
  userId: string;
  status: "active" | "waitlisted";
  actorId: string;
}

/**
 * Inserts the user's RSVP, or reactivates their cancelled/refunded row (UNIQUE (user_id, event_id):
 * one row per user and event, so its history stays on one id). Returns undefined when the user
 * already holds a live row (active, pending, waitlisted).
 *
 * Two statements rather than one INSERT … ON CONFLICT DO UPDATE … WHERE: that form locks the
 * existing row even when its WHERE rejects the update, so a waitlisted user merely re-sending an
 * RSVP would make a concurrent promotion (FOR UPDATE SKIP LOCKED) pass them over. DO NOTHING and a
 * conditional UPDATE lock only rows they change. A first registration still costs one statement.
 */
export async function insertOrReactivateRsvp(trx: Trx, rsvp: NewRsvp): Promise<{ id: string } | undefined> {
  // clock_timestamp(), not now(): rows queued by concurrent transactions must order by when each joined.
  const waitlistedAt = rsvp.status === "waitlisted" ? sql<Date>`clock_timestamp()` : null;
  const inserted = await trx
    .insertInto("participations")
    .values({
      eventId: rsvp.eventId,
      userId: rsvp.userId,
      kind: "rsvp",
      status: rsvp.status,
      quantity: 1,
      waitlistedAt,
      createdBy: rsvp.actorId,
      updatedBy: rsvp.actorId,
    })
    .onConflict((oc) => oc.columns(["userId", "eventId"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return inserted;
  return trx
    .updateTable("participations")
    .set({
      kind: "rsvp",
      status: rsvp.status,
      quantity: 1,
      ticketTypeId: null,
      holdExpiresAt: null,
      waitlistedAt,
      cancelledAt: null,
      cancellationReason: null,
      updatedBy: rsvp.actorId,
    })
    .where("userId", "=", rsvp.userId)
    .where("eventId", "=", rsvp.eventId)
    .where("status", "in", ["cancelled", "refunded"])
    .returning("id")
    .executeTakeFirst();
}

/** The oldest waitlisted participation nobody else is working on (skips rows locked elsewhere). */
export const nextWaitlisted = (trx: Trx, eventId: string) =>
  trx
    .selectFrom("participations")
    .selectAll()
    .where("eventId", "=", eventId)
    .where("status", "=", "waitlisted")
    .orderBy("waitlistedAt")
    .orderBy("id")
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
