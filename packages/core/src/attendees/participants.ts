// GET /events/{id}/participants: the attendee desk's searchable list, for managers and checkers.
import * as z from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { doorAccess } from "../staff/access";
import { ticketsFor, type TicketView } from "../tickets/views";
import { decodeCursor, pageFields, toPage, type Page } from "../shared/page";
import { parseInput } from "../shared/validation";
import { toParticipationView, type ParticipationView, type PaymentSummary } from "../ticketing/views";
import { attendeeRows, AttendeeFilter } from "./query";

/** The door desk pages a whole event's list through: pages of up to 500, fewer round trips. */
export const ParticipantsInput = z.object({ ...pageFields(500), ...AttendeeFilter.shape });

export interface ParticipantItem extends ParticipationView, PaymentSummary {
  user: { id: string; email: string | null; name: string | null };
  orderId: string | null;
  paymentId: string | null;
  tickets: TicketView[];
}

/**
 * The event's participants in registration order with buyer, order, payment, check-in and
 * tickets; `status` and `q` (name or email prefix of the buyer or a ticket holder) narrow it.
 */
export async function eventParticipants(db: Db, actor: Actor, input: z.input<typeof ParticipantsInput>): Promise<Page<ParticipantItem>> {
  const { limit, cursor, ...filter } = parseInput(ParticipantsInput, input);
  await doorAccess(db, actor, filter.eventId);
  const rows = await attendeeRows(db, filter, decodeCursor("participants", cursor), limit + 1);
  const tickets = await ticketsFor(
    db,
    rows.slice(0, limit).map((r) => r.id),
  );
  return toPage("participants", rows, limit, (row) => ({
    ...toParticipationView(row),
    user: { id: row.userId, email: row.email, name: row.name },
    orderId: row.orderId,
    paymentId: row.paymentId ?? null,
    paymentStatus: row.paymentStatus ?? null,
    amountPaidMinor: row.amountPaidMinor ?? null,
    currency: row.currency ?? null,
    tickets: tickets.get(row.id) ?? [],
  }));
}
