// Kysely table types for events, venues, categories, the event ⇄ category link and status history.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

type JsonObject = Record<string, unknown>;
type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;

export type EventKind = "rsvp" | "ticketed";
export type EventStatus = "draft" | "published" | "completed" | "cancelled";

export interface VenuesTable {
  id: Generated<string>;
  name: string;
  address: string | null;
  city: string | null;
  country: string | null;
  capacity: number | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface CategoriesTable {
  id: Generated<string>;
  name: string;
  /** Lowercase words joined by hyphens; UNIQUE (categories_slug_key). */
  slug: string;
  createdAt: CreatedAt;
}

export interface EventsTable {
  id: Generated<string>;
  organizerId: string;
  title: string;
  description: string | null;
  kind: EventKind;
  status: Generated<EventStatus>;
  startsAt: Date;
  endsAt: Date;
  timezone: Generated<string>;
  capacity: number;
  /** Active + held (pending) seats; only ever moved by a conditional UPDATE (docs/ARCHITECTURE.md, invariant 1). */
  seatsTaken: Generated<number>;
  location: string | null;
  venueId: string | null;
  waitlistEnabled: Generated<boolean>;
  cancellationCutoffHours: Generated<number>;
  publishedAt: Date | null;
  cancelledAt: Date | null;
  metadata: Generated<JsonObject>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface EventCategoriesTable {
  eventId: string;
  categoryId: string;
}

export interface EventStatusHistoryTable {
  id: Generated<string>;
  eventId: string;
  /** Null on the row written when the event is created. */
  previousStatus: EventStatus | null;
  newStatus: EventStatus;
  changedBy: string | null;
  reason: string | null;
  createdAt: CreatedAt;
}

export type Venue = Selectable<VenuesTable>;
export type NewVenue = Insertable<VenuesTable>;
export type VenueUpdate = Updateable<VenuesTable>;

export type Category = Selectable<CategoriesTable>;
export type NewCategory = Insertable<CategoriesTable>;

// `EventRow`, not `Event`: Node has a global `Event` class, and shadowing it invites mistakes.
export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
export type EventUpdate = Updateable<EventsTable>;

export type EventCategory = Selectable<EventCategoriesTable>;
export type NewEventCategory = Insertable<EventCategoriesTable>;

export type EventStatusChange = Selectable<EventStatusHistoryTable>;
export type NewEventStatusChange = Insertable<EventStatusHistoryTable>;
