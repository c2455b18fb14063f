// Input schemas of the event services; the HTTP routes validate bodies with these same schemas.
import * as z from "zod";
import { pageFields } from "../shared/page";
import { isAfter, positiveInt, text, timeZone, timestamp } from "../shared/validation";

const MAX_CATEGORIES = 20;
const MAX_CUTOFF_HOURS = 8_760; // a year: anything longer is a typo, not a policy

const eventFields = {
  title: text(1, 200),
  description: text(0, 10_000).nullable(),
  kind: z.enum(["rsvp", "ticketed"]),
  startsAt: timestamp(),
  endsAt: timestamp(),
  timezone: timeZone(),
  capacity: positiveInt(),
  location: text(0, 500).nullable(),
  venueId: z.uuid({ message: "Must be a UUID" }).nullable(),
  categoryIds: z.array(z.uuid({ message: "Must be a UUID" })).max(MAX_CATEGORIES),
  waitlistEnabled: z.boolean(),
  cancellationCutoffHours: z.number().int().min(0).max(MAX_CUTOFF_HOURS),
};

const endsAfterStarts = (v: { startsAt?: string | undefined; endsAt?: string | undefined }) =>
  v.startsAt === undefined || v.endsAt === undefined || isAfter(v.endsAt, v.startsAt);
const endsAfterStartsError = { message: "Must be after startsAt", path: ["endsAt"] };

const createFields = {
  title: eventFields.title,
  description: eventFields.description.optional(),
  kind: eventFields.kind,
  startsAt: eventFields.startsAt,
  endsAt: eventFields.endsAt,
  timezone: eventFields.timezone.optional(),
  capacity: eventFields.capacity,
  location: eventFields.location.optional(),
  venueId: eventFields.venueId.optional(),
  categoryIds: eventFields.categoryIds.optional(),
  waitlistEnabled: eventFields.waitlistEnabled.optional(),
  cancellationCutoffHours: eventFields.cancellationCutoffHours.optional(),
};

export const CreateEventInput = z.strictObject(createFields).refine(endsAfterStarts, endsAfterStartsError);
export type CreateEventInput = z.input<typeof CreateEventInput>;

const { kind: _fixedAtCreation, ...updatableFields } = createFields;

/**
 * Every field optional; `null` clears the nullable ones. `kind` is fixed at creation: ticket
 * types, orders and participations depend on it. When only one of startsAt/endsAt is sent, the
 * database's events_time_range_check compares it with the stored other one.
 */
export const UpdateEventInput = z.strictObject(updatableFields).partial().refine(endsAfterStarts, endsAfterStartsError);
export type UpdateEventInput = z.input<typeof UpdateEventInput>;

export const CancelEventInput = z.strictObject({ reason: text(1, 1_000).optional() });
export type CancelEventInput = z.input<typeof CancelEventInput>;

/** Options of listEvents; GET /events parses its query string into exactly these. */
export const ListEventsOptions = z.object({
  from: timestamp().optional().meta({ description: "Only events that have not ended by then (default: now)" }),
  to: timestamp().optional().meta({ description: "Only events that start before then" }),
  category: text(1, 100).optional().meta({ description: "Category slug or id" }),
  q: text(1, 200).optional().meta({ description: "Full-text search in title and description" }),
  ...pageFields(),
});
export type ListEventsOptions = z.input<typeof ListEventsOptions>;
