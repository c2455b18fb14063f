// The Ticket resource: its row, the holder (assigned, or the buyer by default) and its signed code.
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

type Row = Awaited<ReturnType<ReturnType<typeof selectTickets>["execute"]>>[number];

/** Rows to resources, signing each code (deterministic: the same code until the key rotates). */
export async function toTicketViews(rows: readonly Row[]): Promise<TicketView[]> {
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

/**
 * The tickets of these participations, keyed by participation id: valid ones while a
 * participation is active, its last activation's void ones once it ended.
 */
export async function ticketsFor(db: Db | Trx, participationIds: readonly string[]): Promise<Map<string, TicketView[]>> {
  const byParticipation = new Map<string, TicketView[]>(participationIds.map((id) => [id, []]));
  if (participationIds.length === 0) return byParticipation;
  const rows = await selectTickets(db)
    .where("t.participationId", "in", [...participationIds])
    // Only the latest activation's tickets: a re-registration's void predecessors are history.
    .where((eb) =>
      eb.or([
        eb("t.status", "=", "valid"),
        eb.not(
          eb.exists(
            eb
              .selectFrom("tickets as v")
              .select("v.id")
              .whereRef("v.participationId", "=", "t.participationId")
              .whereRef("v.createdAt", ">", "t.createdAt"),
          ),
        ),
      ]),
    )
    .orderBy("t.participationId")
    .orderBy("t.seat")
    .execute();
  for (const ticket of await toTicketViews(rows)) byParticipation.get(ticket.participationId)?.push(ticket);
  return byParticipation;
}
