// Door check-in by scanning a ticket code: one check-in per ticket, idempotent and race-free.
import { sql } from "kysely";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { DomainError } from "../errors";
import { doorAccess } from "../staff/access";
import { invalidTicketCode, ticketVoid, verifyTicketCode } from "./codes";
import { selectTickets } from "./views";

export interface TicketCheckIn {
  ticketId: string;
  participationId: string;
  eventId: string;
  ticketTypeId: string | null;
  holderName: string | null;
  holderEmail: string | null;
  /** Microsecond precision, like every participation timestamp. */
  checkedInAt: string;
  checkedInBy: string | null;
}

export interface TicketCheckInResult {
  /** False when the ticket had been checked in before: the first check-in is returned. */
  created: boolean;
  checkIn: TicketCheckIn;
}

/**
 * Verifies the code (our signature, this event) and checks its ticket in. The conditional UPDATE
 * is the whole race: of 50 concurrent scans, one moves checked_in_at from NULL and the other 49,
 * re-checking the row after the winner commits, match nothing and read the winner's check-in. A
 * cancellation voids the ticket under the same row lock, so a scan sees either a valid ticket
 * (and checks it in before the void) or a void one.
 */
export async function checkInByCode(db: Db, actor: Actor, input: { eventId: string; code: string }): Promise<TicketCheckInResult> {
  await doorAccess(db, actor, input.eventId);
  const ticketId = await verifyTicketCode(input.code, input.eventId);
  const created = await db.transaction().execute(async (trx) => {
    const ticket = await trx
      .updateTable("tickets")
      .set({ checkedInAt: sql<Date>`now()`, checkedInBy: actor.userId })
      .where("id", "=", ticketId)
      .where("eventId", "=", input.eventId)
      .where("status", "=", "valid")
      .where("checkedInAt", "is", null)
      .returning("participationId")
      .executeTakeFirst();
    if (!ticket) return false;
    // The participation counts as checked in from its first ticket on (same now(): same instant).
    await trx
      .insertInto("checkIns")
      .values({ participationId: ticket.participationId, checkedInBy: actor.userId })
      .onConflict((oc) => oc.column("participationId").doNothing())
      .execute();
    return true;
  });
  const row = await selectTickets(db)
    .select("t.checkedInBy")
    .where("t.id", "=", ticketId)
    .where("t.eventId", "=", input.eventId)
    .executeTakeFirst();
  // Signed by us for this event, but no such ticket: never issued here (e.g. another stage's key).
  if (!row) throw invalidTicketCode();
  if (row.status === "void") throw ticketVoid();
  if (row.checkedInAt === null) throw new DomainError("conflict", "The ticket changed during check-in; scan again");
  const { id, participationId, eventId, ticketTypeId, checkedInBy, holderName, holderEmail, checkedInAt } = row;
  return { created, checkIn: { ticketId: id, participationId, eventId, ticketTypeId, checkedInBy, holderName, holderEmail, checkedInAt } };
}
