// GET /events: published events, soonest first, filtered and paginated by a keyset cursor.
import { sql } from "kysely";
import type { Db } from "../db/client";
import { decodeCursor, toPage, type Page } from "../shared/page";
import { categoryIdsColumn } from "./events.repository";
import { ListEventsOptions } from "./inputs";
import { parseInput } from "../shared/validation";
import { toEventView, type EventView } from "./views";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Published events ordered by (starts_at, id). `from` keeps events that have not ended by then
 * (default: now, so events under way still show); `to` keeps those starting before it; `category`
 * is a slug or an id; `q` is full-text search over title and description with the very expression
 * of the events_search_idx GIN index. The cursor is the (starts_at, id) of the page's last row:
 * rows inserted or removed elsewhere never shift a page, so no row is skipped or repeated.
 */
export async function listEvents(db: Db, options: ListEventsOptions = {}, now = new Date()): Promise<Page<EventView>> {
  const o = parseInput(ListEventsOptions, options);
  const after = decodeCursor("events", o.cursor);

  let query = db
    .selectFrom("events")
    .selectAll("events")
    .select(categoryIdsColumn.as("categoryIds"))
    .select(sql<string>`to_char(events.starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("sortKey"))
    .where("events.status", "=", "published")
    .where("events.endsAt", ">", o.from ? new Date(o.from) : now);
  if (o.to) query = query.where("events.startsAt", "<", new Date(o.to));
  if (o.category) {
    const category = o.category;
    const column = UUID.test(category) ? "categories.id" : "categories.slug";
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom("eventCategories")
          .innerJoin("categories", "categories.id", "eventCategories.categoryId")
          .select("eventCategories.categoryId")
          .whereRef("eventCategories.eventId", "=", "events.id")
          .where(column, "=", category.toLowerCase()),
      ),
    );
  }
  if (o.q) {
    query = query.where(
      sql<boolean>`to_tsvector('simple', title || ' ' || coalesce(description, '')) @@ websearch_to_tsquery('simple', ${o.q})`,
    );
  }
  if (after) query = query.where(sql<boolean>`(events.starts_at, events.id) > (${after.key}::timestamptz, ${after.id}::uuid)`);

  const rows = await query
    .orderBy("events.startsAt")
    .orderBy("events.id")
    .limit(o.limit + 1)
    .execute();
  return toPage("events", rows, o.limit, ({ sortKey: _key, ...row }) => toEventView(row));
}
