// Seats and ticket types left for sale right now, as GET /events/{id}/availability shows them.
import type { Db } from "../db/client";
import { notFound } from "../errors";
import { currentUnitPrice } from "../ticketing/pricing";
import { isOnSale } from "../ticketing/sales-rules";
import { toPricedTicketType } from "../ticketing/ticket-types";
import type { TicketType } from "../ticketing/ticketing.table";
import { isPublic } from "./access";
import type { EventRow } from "./events.table";
import * as repo from "./events.repository";
import type { AvailabilityView } from "./views";

/**
 * Pure: what is left, from the counters. A ticket type is limited by its own quantity and by
 * the event's free seats; it is on sale while the event is published and its own sales window
 * and `active` flag allow (sold-out shows as `available: 0`, not as off sale).
 */
export function availabilityOf(
  event: Pick<EventRow, "capacity" | "seatsTaken" | "status" | "startsAt">,
  ticketTypes: readonly TicketType[],
  waitlisted: number,
  now: Date,
): AvailabilityView {
  const available = Math.max(0, event.capacity - event.seatsTaken);
  return {
    capacity: event.capacity,
    seatsTaken: event.seatsTaken,
    available,
    waitlisted,
    ticketTypes: ticketTypes.map((t) => ({
      id: t.id,
      available: t.quantity === null ? available : Math.max(0, Math.min(available, t.quantity - t.quantityTaken)),
      onSale: event.status === "published" && isOnSale({ ...t, eventStartsAt: event.startsAt }, now),
      currentPrice: currentUnitPrice(toPricedTicketType(t), now),
    })),
  };
}

/** Public: availability of an event that has been published; drafts are 404 for everyone here. */
export async function getAvailability(db: Db, eventId: string, now = new Date()): Promise<AvailabilityView> {
  const event = await repo.countersFromId(db, eventId);
  if (!event || !isPublic(event)) throw notFound("Event");
  return availabilityOf(event, event.ticketTypes, event.waitlisted, now);
}
