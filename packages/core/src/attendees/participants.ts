// GET /events/{id}/participants: the attendee desk's searchable list, for managers and checkers.
import { sql } from "kysely";
import * as z from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { doorAccess, doorFacts, doorGate, doorRole } from "../staff/access";
import { ticketsColumn, withTicketViews, type TicketView } from "../tickets/views";
import { decodeCursor, pageFields, toPage, type Page } from "../shared/page";
import { parseInput } from "../shared/validation";
import { toParticipationView, type ParticipationView, type PaymentSummary } from "../ticketing/views";
import { attendeeQuery, AttendeeFilter } from "./query";

/** The door desk pages a whole event's list through: pages of up to 500, fewer round trips. */
export const ParticipantsInput = z.object({ ...pageFields(500), ...AttendeeFilter.shape });

export interface ParticipantItem extends ParticipationView, PaymentSummary {
  user: { id: string; email: string | null; name: string | null };
  orderId: string | null;
  paymentId: string | null;
  tickets: TicketView[];
}

/** The page's cursor; a caller kept out hears that before hearing that their cursor is bad. */
async function cursorOf(db: Db, actor: Actor, input: { cursor?: string | undefined; eventId: string }) {
  try {
    return decodeCursor("participants", input.cursor);
  } catch (error) {
    await doorAccess(db, actor, input.eventId);
    throw error;
  }
}

/**
 * The event's participants in registration order with buyer, order, payment, check-in and
 * tickets; `status` and `q` (name or email prefix of the buyer or a ticket holder) narrow it.
 * One statement: the door check is a CTE, and the page runs only when it lets the caller in.
 */
export async function eventParticipants(db: Db, actor: Actor, raw: z.input<typeof ParticipantsInput>): Promise<Page<ParticipantItem>> {
  const input = parseInput(ParticipantsInput, raw);
  const page = attendeeQuery(db, input, await cursorOf(db, actor, input), input.limit + 1)
    .select(ticketsColumn.as("tickets"))
    .where(doorGate(actor));
  const rows = await db
    .with("door", () => doorFacts(db, actor, input.eventId))
    .selectFrom("door")
    .leftJoinLateral(page.as("r"), (join) => join.onTrue())
    .select(["door.organizerId", "door.role"])
    .selectAll("r")
    // Text in the database's rendering sorts as the instants do, byte by byte.
    .orderBy(sql`r.sort_key COLLATE "C"`)
    .orderBy("r.id")
    .execute();
  // No row: no such event. A row without a participation: an empty page, or a caller kept out.
  doorRole(actor, rows[0]);
  type PageRow = Awaited<ReturnType<typeof page.execute>>[number];
  const found = rows.filter((row): row is (typeof rows)[number] & PageRow => row.id !== null);
  const { items, nextCursor } = toPage("participants", found, input.limit, (row) => row);
  return {
    items: (await withTicketViews(items)).map((row) => ({
      ...toParticipationView(row),
      user: { id: row.userId, email: row.email, name: row.name },
      orderId: row.orderId,
      paymentId: row.paymentId ?? null,
      paymentStatus: row.paymentStatus ?? null,
      amountPaidMinor: row.amountPaidMinor ?? null,
      currency: row.currency ?? null,
      tickets: row.tickets,
    })),
    nextCursor,
  };
}
