// GET /events/{id}/participants: the attendee desk's searchable list, for managers and checkers.
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { doorAccess } from "../staff/access";
import { ticketsFor, type TicketView } from "../tickets/views";
import { decodeCursor, toPage, type Page, type PageInput } from "../shared/page";
import { toParticipationView, type ParticipationView, type PaymentSummary } from "../ticketing/views";
import { attendeeRows, type AttendeeFilter } from "./query";

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
export async function eventParticipants(db: Db, actor: Actor, input: PageInput & AttendeeFilter): Promise<Page<ParticipantItem>> {
  await doorAccess(db, actor, input.eventId);
  const rows = await attendeeRows(db, input, decodeCursor("participants", input.cursor), input.limit + 1);
  const tickets = await ticketsFor(
    db,
    rows.slice(0, input.limit).map((r) => r.id),
  );
  return toPage("participants", rows, input.limit, (row) => ({
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
