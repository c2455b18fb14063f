// Queries for events, their categories and status history. Lock-sensitive writes take a Trx.
import { sql, type UpdateObject } from "kysely";
import type { Database } from "../db/database";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
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

/** Waitlisted participations of an event (people, not seats). */
export async function waitlistedCount(db: Db | Trx, eventId: string): Promise<number> {
  const row = await db
    .selectFrom("participations")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("eventId", "=", eventId)
    .where("status", "=", "waitlisted")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
