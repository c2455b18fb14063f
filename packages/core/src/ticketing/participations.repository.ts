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
