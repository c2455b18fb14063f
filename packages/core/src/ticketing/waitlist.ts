// The waitlist (docs/ARCHITECTURE.md, invariant 5): only requests that can ever fit join it; freed seats go to
// the earliest waiting request that fits them, in the transaction that freed them. RSVPs become
// active; ticket requests become a new seat hold on the terms they asked for.
import type { Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import type { Db } from "../db/client";
import { useTransaction, type Trx } from "../db/transaction";
import { DomainError } from "../errors";
import { viewableEvent } from "../events/access";
import { notifyWaitlistPromoted } from "../mail/notify";
import { fromUserAndEvent, transition } from "./participations.repository";
import { isOnSale } from "./sales-rules";
import { lockEventSeats, takeSeats } from "./seats";
import type { Participation } from "./ticketing.table";
import { participationViewOrThrow, type ParticipationView } from "./views";

export interface PromotionOptions {
  holdTtlSeconds: number;
  /** Called for each ticket promotion inside the transaction (payments creates the order and mails). */
  onTicketHold?: (trx: Trx, participation: Participation) => Promise<void>;
  now?: Date;
}

/** Whether `quantity` seats could ever be had: within the event's capacity and the type's quantity. */
export const canEverFit = (quantity: number, capacity: number, typeQuantity: number | null): boolean =>
  quantity <= capacity && (typeQuantity === null || quantity <= typeQuantity);

async function ticketTypesOf(trx: Trx, eventId: string) {
  const rows = await trx
    .selectFrom("ticketTypes")
    .select(["id", "quantity", "quantityTaken", "active", "salesStartAt", "salesEndAt"])
    .where("eventId", "=", eventId)
    .execute();
  return new Map(rows.map((t) => [t.id, t]));
}

/**
 * Gives the event's free seats to waiting requests, earliest first, skipping any that does not
 * fit what is free (or whose ticket sales have closed) so it never blocks those behind it.
 * Locks the event row first (the lock order of every seat change). Returns the promoted rows.
 */
export async function promoteWaitlist(trx: Trx, eventId: string, options: PromotionOptions): Promise<Participation[]> {
  const event = await lockEventSeats(trx, eventId);
  if (event?.status !== "published") return [];
  let free = event.capacity - event.seatsTaken;
  if (free <= 0) return [];
  // SKIP LOCKED: a waiter leaving or re-sending right now is passed over this time, not waited on.
  const waiting = await trx
    .selectFrom("participations")
    .selectAll()
    .where("eventId", "=", eventId)
    .where("status", "=", "waitlisted")
    .where("quantity", "<=", free)
    .orderBy("waitlistedAt")
    .orderBy("id")
    .forUpdate()
    .skipLocked()
    .execute();
  if (waiting.length === 0) return [];
  const types = await ticketTypesOf(trx, eventId);
  const now = options.now ?? new Date();
  const startsAt = (await trx.selectFrom("events").select("startsAt").where("id", "=", eventId).executeTakeFirstOrThrow()).startsAt;
  const promoted: Participation[] = [];
  for (const next of waiting) {
    if (free <= 0) break;
    if (next.quantity > free) continue;
    const type = next.ticketTypeId ? types.get(next.ticketTypeId) : undefined;
    if (next.ticketTypeId) {
      if (!type || !isOnSale({ ...type, eventStartsAt: startsAt }, now)) continue;
      if (type.quantity !== null && next.quantity > type.quantity - type.quantityTaken) continue;
    }
    if (!(await takeSeats(trx, { eventId, ticketTypeId: next.ticketTypeId, quantity: next.quantity }))) continue;
    free -= next.quantity;
    if (type) type.quantityTaken += next.quantity;
    const ticket = next.kind === "ticket";
    const moved = await transition(trx, next.id, {
      from: ["waitlisted"],
      to: ticket ? "pending" : "active",
      holdTtlSeconds: options.holdTtlSeconds,
    });
    if (!moved) throw new Error(`waitlisted participation ${next.id} changed while locked`);
    if (ticket) await options.onTicketHold?.(trx, moved);
    else await notifyWaitlistPromoted(trx, moved.id, null);
    promoted.push(moved);
  }
  return promoted;
}

/** DELETE /events/{id}/waitlist: the caller leaves the waitlist (RSVP or ticket); no seat moves. */
export async function leaveWaitlist(db: Db, actor: Actor, eventId: string): Promise<ParticipationView> {
  await viewableEvent(db, actor, eventId);
  const id = await useTransaction(db, async (trx) => {
    await setAuditContext(trx, { actorId: actor.userId, reason: "Left the waitlist" });
    const own = await fromUserAndEvent(trx, actor.userId, eventId);
    const left =
      own && (await transition(trx, own.id, { from: ["waitlisted"], to: "cancelled", reason: "Left the waitlist", actorId: actor.userId }));
    if (!left) throw new DomainError("not_waitlisted", "You are not on the waitlist of this event");
    return left.id;
  });
  return participationViewOrThrow(db, id);
}
