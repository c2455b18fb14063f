// Who may see and who may manage an event. An event the caller may not see does not exist for
// them (404, docs/API.md "Authentication and roles"), so its existence never leaks.
import { canManage, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import { notFound } from "../errors";
import type { EventRow } from "./events.table";
import * as repo from "./events.repository";
import type { EventRecord } from "./views";

/**
 * Public once published: a published or completed event, and a cancelled one that had been
 * published (its attendees still follow links to it). Drafts, and drafts cancelled before
 * publication, stay private to their organizer and admins.
 */
export const isPublic = (event: Pick<EventRow, "status" | "publishedAt">): boolean =>
  event.status === "published" || event.status === "completed" || (event.status === "cancelled" && event.publishedAt !== null);

export const canView = (actor: Actor | undefined, event: Pick<EventRow, "status" | "publishedAt" | "organizerId">): boolean =>
  isPublic(event) || canManage(actor, event.organizerId);

/** The event if the caller may see it, else 404. */
export async function viewableEvent(db: Db | Trx, actor: Actor | undefined, id: string): Promise<EventRecord> {
  const event = await repo.fromId(db, id);
  if (!event || !canView(actor, event)) throw notFound("Event");
  return event;
}

/** The event if the caller manages it, else 404 — also for public events of other organizers. */
export async function managedEvent(db: Db | Trx, actor: Actor, id: string): Promise<EventRecord> {
  const event = await repo.fromId(db, id);
  if (!event || !canManage(actor, event.organizerId)) throw notFound("Event");
  return event;
}
