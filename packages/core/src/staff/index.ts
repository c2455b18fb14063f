// Door staff: an event's organizer (or an admin) makes registered users checkers of that one event.
import * as z from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { DomainError, notFound } from "../errors";
import { managedEvent } from "../events/access";
import { fn } from "../shared/fn";
import { email, parseInput, uuid } from "../shared/validation";
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

/** Who becomes a checker: a registered user, named by id or by email. */
export const AddCheckerInput = z.union([z.strictObject({ userId: uuid() }), z.strictObject({ email: email() })]);
export type StaffMember = z.input<typeof AddCheckerInput>;

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
async function add(db: Db, actor: Actor, eventId: string, input: StaffMember): Promise<{ created: boolean; staff: StaffView }> {
  const who = parseInput(AddCheckerInput, input);
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
export const addChecker = fn(AddCheckerInput, add);

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
