// Who may work an event's door: its managers (organizer, admins) and the users made its checkers.
import { isOrganizer, type Actor } from "../auth/actor";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import { forbidden, notFound } from "../errors";
import { canManage } from "../auth/actor";

export type DoorRole = "manager" | "checker";

/**
 * The caller's role at this event's door. Another organizer's event does not exist for an
 * organizer (404, as everywhere else); a member who is not its checker is refused (403), the
 * answer members got before checkers existed.
 */
export async function doorAccess(db: Db | Trx, actor: Actor, eventId: string): Promise<DoorRole> {
  const event = await db
    .selectFrom("events as e")
    .leftJoin("eventStaff as s", (join) => join.onRef("s.eventId", "=", "e.id").on("s.userId", "=", actor.userId))
    .select(["e.organizerId", "s.role"])
    .where("e.id", "=", eventId)
    .executeTakeFirst();
  if (event && canManage(actor, event.organizerId)) return "manager";
  if (event?.role === "checker") return "checker";
  if (isOrganizer(actor)) throw notFound("Event");
  throw forbidden("Only this event's organizer, an admin or its door staff may do this");
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
