// Rows → the API's resource shapes (docs/API.md "Resource shapes"): camelCase, ISO timestamps, minor units.
import type { Currency, Money } from "../money";
import type { TicketType } from "../ticketing/ticketing.table";
import type { EventKind, EventRow, EventStatus } from "./events.table";

export interface EventView {
  id: string;
  organizerId: string;
  title: string;
  description: string | null;
  kind: EventKind;
  status: EventStatus;
  startsAt: string;
  endsAt: string;
  timezone: string;
  capacity: number;
  seatsTaken: number;
  location: string | null;
  venueId: string | null;
  categoryIds: string[];
  waitlistEnabled: boolean;
  cancellationCutoffHours: number;
  createdAt: string;
  updatedAt: string;
}

export interface TicketTypeView {
  id: string;
  eventId: string;
  name: string;
  priceMinor: number;
  currency: Currency;
  quantity: number | null;
  quantityTaken: number;
  salesStartAt: string | null;
  salesEndAt: string | null;
  earlyBird: { priceMinor: number; until: string } | null;
  groupDiscount: { minQuantity: number; percent: number } | null;
  slidingScaleMaxPercent: number;
  minPerOrder: number;
  maxPerOrder: number;
  sortOrder: number;
  active: boolean;
}

export interface TicketTypeAvailability {
  id: string;
  available: number;
  onSale: boolean;
  currentPrice: Money;
}

export interface AvailabilityView {
  capacity: number;
  seatsTaken: number;
  available: number;
  /** Waitlisted participations (people, not seats). */
  waitlisted: number;
  ticketTypes: TicketTypeAvailability[];
}

export interface EventDetailView extends EventView {
  ticketTypes: TicketTypeView[];
  availability: AvailabilityView;
}

/** An event row with its category ids, as the repository reads it. */
export type EventRecord = EventRow & { categoryIds: string[] };

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

export const toEventView = (e: EventRecord): EventView => ({
  id: e.id,
  organizerId: e.organizerId,
  title: e.title,
  description: e.description,
  kind: e.kind,
  status: e.status,
  startsAt: iso(e.startsAt),
  endsAt: iso(e.endsAt),
  timezone: e.timezone,
  capacity: e.capacity,
  seatsTaken: e.seatsTaken,
  location: e.location,
  venueId: e.venueId,
  categoryIds: e.categoryIds,
  waitlistEnabled: e.waitlistEnabled,
  cancellationCutoffHours: e.cancellationCutoffHours,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
});

export const toTicketTypeView = (t: TicketType): TicketTypeView => ({
  id: t.id,
  eventId: t.eventId,
  name: t.name,
  priceMinor: t.priceMinor,
  currency: t.currency,
  quantity: t.quantity,
  quantityTaken: t.quantityTaken,
  salesStartAt: isoOrNull(t.salesStartAt),
  salesEndAt: isoOrNull(t.salesEndAt),
  // The CHECK constraints guarantee both halves are set together, or neither.
  earlyBird:
    t.earlyBirdPriceMinor !== null && t.earlyBirdUntil ? { priceMinor: t.earlyBirdPriceMinor, until: iso(t.earlyBirdUntil) } : null,
  groupDiscount:
    t.groupMinQuantity !== null && t.groupDiscountPercent !== null
      ? { minQuantity: t.groupMinQuantity, percent: t.groupDiscountPercent }
      : null,
  slidingScaleMaxPercent: t.slidingScaleMaxPercent,
  minPerOrder: t.minPerOrder,
  maxPerOrder: t.maxPerOrder,
  sortOrder: t.sortOrder,
  active: t.active,
});
