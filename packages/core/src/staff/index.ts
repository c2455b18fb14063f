// Door staff: an event's organizer (or an admin) makes registered users checkers of that one event.
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { DomainError, notFound } from "../errors";
import { managedEvent } from "../events/access";
import { isoMicros } from "../ticketing/views";
import * as users from "../users/users.repository";

export { doorAccess, isCheckerOf, type DoorRole } from "./access";

export interface StaffView {
  eventId: string;
  userId: string;
  email: string | null;
  name: string | null;
  role: "checker";
  createdAt: string;
}

export type StaffMember = { userId: string } | { email: string };

const unknownUser = () => new DomainError("unknown_user", "No registered user has this id or email; they must sign in once first");

async function resolveUser(db: Db, who: StaffMember): Promise<string> {
  const row = "userId" in who ? await users.fromId(db, who.userId) : await users.fromEmail(db, who.email);
  if (!row) throw unknownUser();
  return row.id;
}

const staffView = (db: Db, eventId: string, userId: string) =>
  db
    .selectFrom("eventStaff as s")
    .innerJoin("users as u", "u.id", "s.userId")
    .select(["s.eventId", "s.userId", "u.email", "u.displayName as name", "s.role", isoMicros("s.createdAt").as("createdAt")])
    .where("s.eventId", "=", eventId)
    .where("s.userId", "=", userId)
    .executeTakeFirst();

/** Makes the user a checker of this event; adding one twice returns the first (created: false). */
export async function addChecker(db: Db, actor: Actor, eventId: string, who: StaffMember): Promise<{ created: boolean; staff: StaffView }> {
  await managedEvent(db, actor, eventId);
  const userId = await resolveUser(db, who);
  const inserted = await db
    .insertInto("eventStaff")
    .values({ eventId, userId, role: "checker", createdBy: actor.userId })
    .onConflict((oc) => oc.columns(["eventId", "userId"]).doNothing())
    .returning("userId")
    .executeTakeFirst();
  const staff = await staffView(db, eventId, userId);
  if (!staff) throw new DomainError("conflict", "The staff entry changed concurrently; try again");
  return { created: inserted !== undefined, staff };
}

/** Removes a checker; one who is not a checker of this event is 404. */
export async function removeChecker(db: Db, actor: Actor, eventId: string, userId: string): Promise<StaffView> {
  await managedEvent(db, actor, eventId);
  const staff = await staffView(db, eventId, userId);
  const removed = await db
    .deleteFrom("eventStaff")
    .where("eventId", "=", eventId)
    .where("userId", "=", userId)
    .returning("userId")
    .executeTakeFirst();
  if (!staff || !removed) throw notFound("Staff member");
  return staff;
}
