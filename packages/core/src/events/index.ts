// Events service: create, read, edit; lifecycle, listing and availability live beside it.
import { requireRole, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { useTransaction, type Trx } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { notifyEventChanged } from "../mail/event-mail";
import { canView, managedEvent } from "./access";
import { availabilityOf } from "./availability";
import { withConstraints, type ConstraintMap } from "./constraint-errors";
import * as repo from "./events.repository";
import type { EventRow, EventUpdate } from "./events.table";
import { CancelEventInput, CreateEventInput, ListEventsOptions, UpdateEventInput } from "./inputs";
import * as lifecycle from "./lifecycle";
import * as listing from "./listing";
import * as mine from "./mine";
import * as places from "./places";
import { fn } from "../shared/fn";
import { emptyToNull, invalid, parseInput, validationError, type FieldError } from "../shared/validation";
import { toEventView, toTicketTypeView, type EventDetailView, type EventView } from "./views";

export { canView, isPublic, managedEvent, viewableEvent } from "./access";
export { availabilityOf, getAvailability } from "./availability";
export { CancelEventInput, CreateEventInput, ListEventsOptions, UpdateEventInput } from "./inputs";
export { publishEvent, type CancelEventHooks } from "./lifecycle";
export type { Page } from "../shared/page";
export { MyEventsInput } from "./mine";
export { CreateCategoryInput, CreateVenueInput, ListPageInput, type CategoryView, type VenueView } from "./places";
export type { AvailabilityView, EventDetailView, EventView, TicketTypeAvailability, TicketTypeView } from "./views";
export { fromId, statusHistory } from "./events.repository";

const CONSTRAINTS: ConstraintMap = {
  events_time_range_check: () => invalid("endsAt", "Must be after startsAt"),
  events_venue_id_fkey: () => invalid("venueId", "No such venue"),
  event_categories_category_id_fkey: () => invalid("categoryIds", "No such category"),
  events_seats_taken_check: () => capacityBelowTaken(),
};

const capacityBelowTaken = () => new DomainError("capacity_below_taken", "Capacity cannot drop below the seats already taken");

/** 400 naming each unknown venue or category; the foreign keys catch one deleted meanwhile. */
async function assertReferences(trx: Trx, input: { venueId?: string | null; categoryIds?: string[] }): Promise<void> {
  const errors: FieldError[] = [];
  if (input.venueId && !(await repo.venueExists(trx, input.venueId))) errors.push({ path: "venueId", message: "No such venue" });
  const ids = input.categoryIds ?? [];
  for (const missing of await repo.missingCategories(trx, ids)) {
    errors.push({ path: `categoryIds.${ids.indexOf(missing)}`, message: "No such category" });
  }
  if (errors.length > 0) throw validationError(errors);
}

const unique = (ids: readonly string[] | undefined) => (ids ? [...new Set(ids.map((id) => id.toLowerCase()))] : undefined);

/** Creates a draft organized by the caller, with its first status-history row (previous null). */
async function create(db: Db, actor: Actor, input: CreateEventInput): Promise<EventView> {
  requireRole(actor, "organizer");
  const data = parseInput(CreateEventInput, input);
  return useTransaction(db, async (trx) => {
    await assertReferences(trx, data);
    const row = await withConstraints(CONSTRAINTS, async () => {
      const inserted = await repo.insert(trx, {
        organizerId: actor.userId,
        title: data.title,
        description: emptyToNull(data.description) ?? null,
        kind: data.kind,
        startsAt: new Date(data.startsAt),
        endsAt: new Date(data.endsAt),
        capacity: data.capacity,
        location: emptyToNull(data.location) ?? null,
        venueId: data.venueId ?? null,
        ...(data.timezone !== undefined ? { timezone: data.timezone } : {}),
        ...(data.waitlistEnabled !== undefined ? { waitlistEnabled: data.waitlistEnabled } : {}),
        ...(data.cancellationCutoffHours !== undefined ? { cancellationCutoffHours: data.cancellationCutoffHours } : {}),
      });
      await repo.setCategories(trx, inserted.id, unique(data.categoryIds) ?? []);
      return inserted;
    });
    await repo.recordStatusChange(trx, {
      eventId: row.id,
      previousStatus: null,
      newStatus: row.status,
      changedBy: actor.userId,
      reason: null,
    });
    return reloadView(trx, row.id);
  });
}
export const createEvent = fn(CreateEventInput, create);

async function reloadView(db: Db | Trx, id: string): Promise<EventView> {
  const event = await repo.fromId(db, id);
  if (!event) throw notFound("Event");
  return toEventView(event);
}

/** The event with its ticket types and availability, if the caller may see it (else 404): one statement. */
export async function getEvent(db: Db, actor: Actor | undefined, eventId: string, now = new Date()): Promise<EventDetailView> {
  const event = await repo.detailFromId(db, eventId);
  if (!event || !canView(actor, event)) throw notFound("Event");
  return {
    ...toEventView(event),
    ticketTypes: event.ticketTypes.map(toTicketTypeView),
    availability: availabilityOf(event, event.ticketTypes, event.waitlisted, now),
  };
}

export interface UpdateEventHooks {
  /**
   * Called inside the transaction when capacity grew, so the participation service can promote
   * the waitlist into the new seats (docs/ARCHITECTURE.md, invariant 5) without this module depending on it.
   */
  onCapacityIncreased?(trx: Trx, event: EventRow): Promise<void> | void;
}

/**
 * Edits a draft or published event (409 invalid_state otherwise). Capacity never drops below the
 * seats taken: the conditional UPDATE in updateIfOpen decides, race-free (409 capacity_below_taken).
 */
async function update(db: Db, actor: Actor, eventId: string, input: UpdateEventInput, hooks: UpdateEventHooks = {}): Promise<EventView> {
  const patch = parseInput(UpdateEventInput, input);
  return useTransaction(db, async (trx) => {
    const current = await managedEvent(trx, actor, eventId);
    if (!repo.OPEN_STATUSES.includes(current.status)) throw new DomainError("invalid_state", `A ${current.status} event cannot be edited`);
    await assertReferences(trx, patch);

    const { categoryIds, startsAt, endsAt, description, location, ...plain } = patch;
    const values: EventUpdate = {
      ...plain,
      ...(description !== undefined ? { description: emptyToNull(description) } : {}),
      ...(location !== undefined ? { location: emptyToNull(location) } : {}),
      ...(startsAt !== undefined ? { startsAt: new Date(startsAt) } : {}),
      ...(endsAt !== undefined ? { endsAt: new Date(endsAt) } : {}),
    };
    let updated: EventRow | undefined = current;
    if (Object.keys(values).length > 0 || categoryIds !== undefined) {
      // A categories-only edit still goes through the guard (and bumps updated_at via its trigger).
      const set = Object.keys(values).length > 0 ? values : { updatedAt: new Date() };
      updated = await withConstraints(CONSTRAINTS, () => repo.updateIfOpen(trx, eventId, set));
      if (!updated) {
        // The guard failed: read what it saw (this statement's fresh snapshot) to say why.
        const now = await repo.fromId(trx, eventId);
        if (!now) throw notFound("Event");
        if (!repo.OPEN_STATUSES.includes(now.status)) throw new DomainError("invalid_state", `A ${now.status} event cannot be edited`);
        throw capacityBelowTaken();
      }
    }
    if (categoryIds !== undefined) {
      await withConstraints(CONSTRAINTS, () => repo.setCategories(trx, eventId, unique(categoryIds) ?? []));
    }
    if (values.capacity !== undefined && values.capacity > current.capacity) await hooks.onCapacityIncreased?.(trx, updated);
    if (updated.status === "published") await notifyEventChanged(trx, current, updated);
    return reloadView(trx, eventId);
  });
}
export const updateEvent = fn(UpdateEventInput, update);

// The cancellation, listing and place commands, each with the input schema its route validates by.
export const cancelEvent = fn(CancelEventInput, lifecycle.cancelEvent);
export const listEvents = fn(ListEventsOptions, listing.listEvents);
export const listMyEvents = fn(mine.MyEventsInput, mine.listMyEvents);
export const listVenues = fn(places.ListPageInput, places.listVenues);
export const listCategories = fn(places.ListPageInput, places.listCategories);
export const createVenue = fn(places.CreateVenueInput, places.createVenue);
export const createCategory = fn(places.CreateCategoryInput, places.createCategory);
