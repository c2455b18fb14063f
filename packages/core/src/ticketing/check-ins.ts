// Door check-ins: the event's organizer, an admin or a checker checks in an active participation
// (the whole party) or one scanned ticket, once.
import { sql } from "kysely";
import * as z from "zod";
import { canManage, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { parseInput, text, uuid } from "../shared/validation";
import { doorAccess } from "../staff/access";
import { checkInByCode, type TicketCheckInResult } from "../tickets/check-in";
import { isoMicros } from "./views";

export interface CheckInView {
  id: string;
  participationId: string;
  /** Microsecond precision, like the participation's own checkedInAt. */
  checkedInAt: string;
  /** users.id of who checked the attendee in; null once that user is deleted. */
  checkedInBy: string | null;
}

export interface CheckInResult {
  /** False when the participation had been checked in before: the first check-in is returned. */
  created: boolean;
  checkIn: CheckInView;
}

/** The event if the caller organizes it or is an admin; otherwise it does not exist for them. */
export async function requireManagedEvent(db: Db | Trx, actor: Actor, eventId: string): Promise<void> {
  const event = await db.selectFrom("events").select("organizerId").where("id", "=", eventId).executeTakeFirst();
  if (!event || !canManage(actor, event.organizerId)) throw notFound("Event");
}

const columns = ["id", "participationId", "checkedInBy", isoMicros("checkedInAt").as("checkedInAt")] as const;

/**
 * Checks in a participation of this event. Idempotent and race-free: the UNIQUE participation_id
 * lets exactly one INSERT win; a repeat (or the loser of a race) reads the winner's row. The whole
 * party is in: its tickets not scanned yet are checked in with it.
 */
async function checkInParticipation(db: Db, actor: Actor, input: { eventId: string; participationId: string }): Promise<CheckInResult> {
  await doorAccess(db, actor, input.eventId);
  return db.transaction().execute(async (trx) => {
    // FOR SHARE: a concurrent cancellation (which locks the row to change its status) waits for
    // this check-in, or this one sees the cancelled status; never a check-in of a cancelled RSVP.
    const participation = await trx
      .selectFrom("participations")
      .select("status")
      .where("id", "=", input.participationId)
      .where("eventId", "=", input.eventId)
      .forShare()
      .executeTakeFirst();
    // A participation of another event is not part of this one: 404, revealing nothing about it.
    if (!participation) throw notFound("Participation");
    if (participation.status !== "active") {
      throw new DomainError("not_active", `Only active participations can be checked in; this one is ${participation.status}`);
    }
    const inserted = await trx
      .insertInto("checkIns")
      .values({ participationId: input.participationId, checkedInBy: actor.userId })
      .onConflict((oc) => oc.column("participationId").doNothing())
      .returning(columns)
      .executeTakeFirst();
    if (inserted) {
      // now() is the transaction's clock: the same instant the check-in row got.
      await trx
        .updateTable("tickets")
        .set({ checkedInAt: sql<Date>`now()`, checkedInBy: actor.userId })
        .where("participationId", "=", input.participationId)
        .where("status", "=", "valid")
        .where("checkedInAt", "is", null)
        .execute();
      return { created: true, checkIn: inserted };
    }
    // Each READ COMMITTED statement sees what committed before it: the winner of a race included.
    const first = await trx
      .selectFrom("checkIns")
      .select(columns)
      .where("participationId", "=", input.participationId)
      .executeTakeFirstOrThrow();
    return { created: false, checkIn: first };
  });
}

/** A participation's id (the whole party) or a scanned ticket's code (one ticket). */
export const CheckInInput = z.union([z.strictObject({ participationId: uuid() }), z.strictObject({ code: text(1, 2048) })]);
export type CheckInInput = z.input<typeof CheckInInput>;

/** Checks in at this event's door; `created` is false when it had been checked in before. */
export async function checkIn(db: Db, actor: Actor, eventId: string, input: CheckInInput): Promise<CheckInResult | TicketCheckInResult> {
  const by = parseInput(CheckInInput, input);
  return "code" in by
    ? checkInByCode(db, actor, { eventId, code: by.code })
    : checkInParticipation(db, actor, { eventId, participationId: by.participationId });
}
