// GET /me/events: the events the caller organizes (an admin too: their own, not everyone's),
// any status, newest first, keyset-paginated on (created_at, id).
import { sql } from "kysely";
import * as z from "zod";
import { requireRole, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { categoryIdsColumn } from "./events.repository";
import { decodeCursor, pageFields, toPage, type Page } from "../shared/page";
import { parseInput } from "../shared/validation";
import { toEventView, type EventView } from "./views";

export const MyEventsInput = z.strictObject(pageFields());

export async function listMyEvents(db: Db, actor: Actor, input: z.input<typeof MyEventsInput> = {}): Promise<Page<EventView>> {
  requireRole(actor, "organizer");
  const o = parseInput(MyEventsInput, input);
  let query = db
    .selectFrom("events")
    .selectAll("events")
    .select(categoryIdsColumn.as("categoryIds"))
    .select(sql<string>`to_char(events.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("sortKey"))
    .where("events.organizerId", "=", actor.userId);
  const after = decodeCursor("my-events", o.cursor);
  if (after) query = query.where(sql<boolean>`(events.created_at, events.id) < (${after.key}::timestamptz, ${after.id}::uuid)`);
  const rows = await query
    .orderBy("events.createdAt", "desc")
    .orderBy("events.id", "desc")
    .limit(o.limit + 1)
    .execute();
  return toPage("my-events", rows, o.limit, ({ sortKey: _key, ...row }) => toEventView(row));
}
