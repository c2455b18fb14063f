// Queries for events, their categories and status history. Lock-sensitive writes take a Trx.
import { sql, type UpdateObject } from "kysely";
import type { Database } from "../db/database";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import type { TicketType } from "../ticketing/ticketing.table";
import type { EventRow, EventStatus, EventUpdate, NewEvent, NewEventStatusChange } from "./events.table";
import type { EventRecord } from "./views";

/** The statuses in which an event can still be edited, published or cancelled. */
export const OPEN_STATUSES: readonly EventStatus[] = ["draft", "published"];

/**
 * The category ids of the `events` row in scope, sorted so responses are stable. Cast to text[]
 * so the driver hands back plain strings whatever array parsers it has.
 */
export const categoryIdsColumn = sql<string[]>`array(
  select ec.category_id::text from event_categories ec where ec.event_id = events.id order by ec.category_id)`;

export const fromId = (db: Db | Trx, id: string): Promise<EventRecord | undefined> =>
  db.selectFrom("events").selectAll("events").select(categoryIdsColumn.as("categoryIds")).where("events.id", "=", id).executeTakeFirst();

/** Locks the event row against concurrent status and seat changes; callers hold it to commit. */
export const lockForUpdate = (trx: Trx, id: string): Promise<EventRow | undefined> =>
  trx.selectFrom("events").selectAll().where("id", "=", id).forNoKeyUpdate().executeTakeFirst();

export const insert = (trx: Trx, values: NewEvent): Promise<EventRow> =>
  trx.insertInto("events").values(values).returningAll().executeTakeFirstOrThrow();

export async function setCategories(trx: Trx, eventId: string, categoryIds: readonly string[]): Promise<void> {
  await trx.deleteFrom("eventCategories").where("eventId", "=", eventId).execute();
  if (categoryIds.length === 0) return;
  await trx
    .insertInto("eventCategories")
    .values(categoryIds.map((categoryId) => ({ eventId, categoryId })))
    .execute();
}

/** The ids among `ids` that name no category. */
export async function missingCategories(db: Db | Trx, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = await db
    .selectFrom("categories")
    .select("id")
    .where("id", "in", [...ids])
    .execute();
  const known = new Set(found.map((c) => c.id));
  return ids.filter((id) => !known.has(id.toLowerCase()));
}

export const venueExists = async (db: Db | Trx, id: string): Promise<boolean> =>
  (await db.selectFrom("venues").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;

export async function recordStatusChange(trx: Trx, change: NewEventStatusChange): Promise<void> {
  await trx.insertInto("eventStatusHistory").values(change).execute();
}

export const statusHistory = (db: Db | Trx, eventId: string) =>
  db.selectFrom("eventStatusHistory").selectAll().where("eventId", "=", eventId).orderBy("createdAt").orderBy("id").execute();

/**
 * Applies an edit only while the event is open, and — when capacity changes — only if the seats
 * already taken still fit. One conditional UPDATE: a concurrent seat take either commits first
 * (and this re-checks against its result) or waits for this edit, so no interleaving can leave
 * capacity below seats_taken. Undefined when a condition failed (the caller re-reads to say which).
 */
export function updateIfOpen(trx: Trx, id: string, values: EventUpdate): Promise<EventRow | undefined> {
  let query = trx
    .updateTable("events")
    .set(values)
    .where("id", "=", id)
    .where("status", "in", [...OPEN_STATUSES]);
  if (values.capacity !== undefined) query = query.where("seatsTaken", "<=", values.capacity as number);
  return query.returningAll().executeTakeFirst();
}

/** Moves the status with a guard on the current one; undefined when it was not in `from`. */
export function transition(
  trx: Trx,
  id: string,
  from: readonly EventStatus[],
  values: UpdateObject<Database, "events">,
): Promise<EventRow | undefined> {
  return trx
    .updateTable("events")
    .set(values)
    .where("id", "=", id)
    .where("status", "in", [...from])
    .returningAll()
    .executeTakeFirst();
}

/** The timestamp columns of a ticket type, which JSON carries as text. */
const TICKET_TYPE_DATES = ["salesStartAt", "salesEndAt", "earlyBirdUntil", "createdAt", "updatedAt"] as const;
type TicketTypeJson = Omit<TicketType, (typeof TICKET_TYPE_DATES)[number]> & Record<(typeof TICKET_TYPE_DATES)[number], string | null>;

/**
 * The ticket types of the `events` row in scope, in display order, as one JSON array (the
 * CamelCasePlugin renames its keys like any row's). Ordered inside json_agg: a sorted subquery
 * would only usually keep its order.
 */
const ticketTypesColumn = sql<TicketTypeJson[]>`coalesce((
  select json_agg(tt order by tt.sort_order, tt.created_at, tt.id) from ticket_types tt where tt.event_id = events.id), '[]')`;

/** Waitlisted participations (people, not seats) of the `events` row in scope. */
const waitlistedColumn = sql<number>`(
  select count(*)::int from participations p where p.event_id = events.id and p.status = 'waitlisted')`;

function ticketTypeFromJson(json: TicketTypeJson): TicketType {
  const row = { ...json } as Record<string, unknown>;
  for (const key of TICKET_TYPE_DATES) row[key] = json[key] === null ? null : new Date(json[key]);
  return row as unknown as TicketType;
}

/** An event row with what its availability is computed from. */
export type EventCounters = EventRow & { ticketTypes: TicketType[]; waitlisted: number };

const withCounters = (db: Db | Trx, id: string) =>
  db
    .selectFrom("events")
    .selectAll("events")
    .select([ticketTypesColumn.as("ticketTypes"), waitlistedColumn.as("waitlisted")])
    .where("events.id", "=", id);

const decoded = <T extends { ticketTypes: TicketTypeJson[] }>(row: T | undefined) =>
  row && { ...row, ticketTypes: row.ticketTypes.map(ticketTypeFromJson) };

/** An event with its ticket types and waitlist count, in one statement (GET /events/{id}/availability). */
export const countersFromId = async (db: Db | Trx, id: string): Promise<EventCounters | undefined> =>
  decoded(await withCounters(db, id).executeTakeFirst());

/** The same with the event's categories: everything GET /events/{id} shows, in one statement. */
export const detailFromId = async (db: Db | Trx, id: string): Promise<(EventRecord & EventCounters) | undefined> =>
  decoded(await withCounters(db, id).select(categoryIdsColumn.as("categoryIds")).executeTakeFirst());
