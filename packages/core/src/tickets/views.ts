// The Ticket resource: its row, the holder (assigned, or the buyer by default) and its signed code.
import { sql } from "kysely";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import { isoMicros } from "../ticketing/views";
import { ticketCodes } from "./codes";
import type { TicketStatus } from "./tickets.table";

export interface TicketView {
  id: string;
  participationId: string;
  eventId: string;
  ticketTypeId: string | null;
  holderName: string | null;
  holderEmail: string | null;
  status: TicketStatus;
  code: string;
  checkedInAt: string | null;
}

/** Tickets with their holder; `t` is the ticket, `p` its participation, `u` the buyer. */
export const selectTickets = (db: Db | Trx) =>
  db
    .selectFrom("tickets as t")
    .innerJoin("participations as p", "p.id", "t.participationId")
    .innerJoin("users as u", "u.id", "p.userId")
    .select([
      "t.id",
      "t.participationId",
      "t.eventId",
      "t.ticketTypeId",
      "t.status",
      "t.seat",
      "p.userId",
      // A seat nobody was given to is the buyer's: shown with the buyer's current name.
      (eb) => eb.fn.coalesce("t.holderName", "u.displayName").as("holderName"),
      (eb) => eb.fn.coalesce("t.holderEmail", "u.email").as("holderEmail"),
      isoMicros("t.checkedInAt").as("checkedInAt"),
    ]);

/** What a ticket's code is signed from and its resource is built from, without the code. */
type TicketRow = Omit<TicketView, "code">;

/** Rows to resources, signing each code (deterministic: the same code until the key rotates). */
export async function toTicketViews(rows: readonly TicketRow[]): Promise<TicketView[]> {
  // Most participations have no tickets: no keys to load, no signer to build for them.
  if (rows.length === 0) return [];
  const codes = await ticketCodes();
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      participationId: r.participationId,
      eventId: r.eventId,
      ticketTypeId: r.ticketTypeId,
      holderName: r.holderName,
      holderEmail: r.holderEmail,
      status: r.status,
      code: await codes.sign(r),
      checkedInAt: r.checkedInAt,
    })),
  );
}

// A re-registration's void predecessors are history: a participation shows its valid tickets, or
// once it ended, the void ones of its last activation (no newer ticket of the same participation).
// A new hold or waitlist place of the same participation has no tickets yet, and shows none.
const latestActivation = sql<boolean>`(t.status = 'valid' OR (p.status IN ('cancelled', 'refunded') AND NOT EXISTS (
  SELECT 1 FROM tickets v WHERE v.participation_id = t.participation_id AND v.created_at > t.created_at)))`;

/**
 * The tickets of the participation `p` in scope (its buyer's name and email standing in for an
 * unassigned holder) as one JSON array in seat order, so a page of participations and their tickets
 * is one statement. Keys are snake_case: the CamelCasePlugin renames them like any column.
 */
export const ticketsColumn = sql<TicketRow[]>`coalesce((
  SELECT json_agg(json_build_object('id', t.id, 'participation_id', t.participation_id, 'event_id', t.event_id,
    'ticket_type_id', t.ticket_type_id, 'holder_name', coalesce(t.holder_name, bu.display_name),
    'holder_email', coalesce(t.holder_email, bu.email), 'status', t.status,
    'checked_in_at', ${isoMicros("t.checkedInAt")}) ORDER BY t.seat)
  FROM tickets t JOIN users bu ON bu.id = p.user_id
  WHERE t.participation_id = p.id AND ${latestActivation}), '[]')`;

/** Signs the tickets of each row's `tickets` column: rows with their TicketViews, in the same order. */
export async function withTicketViews<R extends { tickets: TicketRow[] }>(
  rows: readonly R[],
): Promise<(Omit<R, "tickets"> & { tickets: TicketView[] })[]> {
  const views = await toTicketViews(rows.flatMap((r) => r.tickets));
  let next = 0;
  return rows.map((r) => ({ ...r, tickets: views.slice(next, (next += r.tickets.length)) }));
}

/**
 * The tickets of these participations, keyed by participation id: valid ones while a
 * participation is active, its last activation's void ones once it ended.
 */
export async function ticketsFor(db: Db | Trx, participationIds: readonly string[]): Promise<Map<string, TicketView[]>> {
  const byParticipation = new Map<string, TicketView[]>(participationIds.map((id) => [id, []]));
  if (participationIds.length === 0) return byParticipation;
  const rows = await selectTickets(db)
    .where("t.participationId", "in", [...participationIds])
    .where(latestActivation)
    .orderBy("t.participationId")
    .orderBy("t.seat")
    .execute();
  for (const ticket of await toTicketViews(rows)) byParticipation.get(ticket.participationId)?.push(ticket);
  return byParticipation;
}
