// Ticket test helpers: swapping signing keys the way a rotation does, and the ticket rows of a
// participation.
import type { Db } from "@evently/core/db/client";
import type { TicketKeySet } from "@evently/core/tickets/keys";

/** Every handler and core call in this process signs and verifies with `keys` from now on. */
export function serveTicketKeys(keys: TicketKeySet): void {
  process.env.TICKET_KEYS = JSON.stringify(keys);
}

/** A participation's tickets as (seat, status) in creation order: valid and void alike. */
export const ticketRows = (db: Db, participationId: string) =>
  db
    .selectFrom("tickets")
    .select(["id", "seat", "status", "ticketTypeId", "checkedInAt"])
    .where("participationId", "=", participationId)
    .orderBy("createdAt")
    .orderBy("seat")
    .execute();

/** Just the statuses, e.g. ["void", "valid"], for compact lifecycle assertions. */
export const ticketStatuses = async (db: Db, participationId: string) => (await ticketRows(db, participationId)).map((t) => t.status);
