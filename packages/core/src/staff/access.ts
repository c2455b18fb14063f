// Who may work an event's door: its managers (organizer, admins) and the users made its checkers.
import { sql, type RawBuilder } from "kysely";
import { isAdmin, isOrganizer, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import { forbidden, notFound } from "../errors";
import { canManage } from "../auth/actor";

export type DoorRole = "manager" | "checker";

/** Who organizes the event and the caller's staff role there; undefined when there is no such event. */
export interface DoorFacts {
  organizerId: string;
  role: string | null;
}

/**
 * The caller's role at this event's door. Another organizer's event does not exist for an
 * organizer (404, as everywhere else); a member who is not its checker is refused (403), the
 * answer members got before checkers existed.
 */
export function doorRole(actor: Actor, event: DoorFacts | undefined): DoorRole {
  if (event && canManage(actor, event.organizerId)) return "manager";
  if (event?.role === "checker") return "checker";
  if (isOrganizer(actor)) throw notFound("Event");
  throw forbidden("Only this event's organizer, an admin or its door staff may do this");
}

/**
 * doorRole's "may enter" as SQL over `door.organizer_id` and `door.role`, for reads that check
 * access in the statement that reads the data (doorRole still decides what the caller is told).
 */
export function doorGate(actor: Actor): RawBuilder<boolean> {
  if (isAdmin(actor)) return sql<boolean>`true`;
  const checker = sql<boolean>`door.role = 'checker'`;
  return actor.roles.includes("organizer") ? sql<boolean>`(door.organizer_id = ${actor.userId} OR ${checker})` : checker;
}

/** The DoorFacts of an event for the caller, unexecuted (a read may take it as a CTE named `door`). */
export const doorFacts = (db: Db | Trx, actor: Actor, eventId: string) =>
  db
    .selectFrom("events as e")
    .leftJoin("eventStaff as s", (join) => join.onRef("s.eventId", "=", "e.id").on("s.userId", "=", actor.userId))
    .select(["e.organizerId", "s.role"])
    .where("e.id", "=", eventId);

/** The caller's role at this event's door, read from the database (see doorRole). */
export async function doorAccess(db: Db | Trx, actor: Actor, eventId: string): Promise<DoorRole> {
  return doorRole(actor, await doorFacts(db, actor, eventId).executeTakeFirst());
}

/** Whether the user is door staff (a checker) of this event. */
export async function isCheckerOf(db: Db | Trx, userId: string, eventId: string): Promise<boolean> {
  const row = await db
    .selectFrom("eventStaff")
    .select("role")
    .where("eventId", "=", eventId)
    .where("userId", "=", userId)
    .executeTakeFirst();
  return row !== undefined;
}
