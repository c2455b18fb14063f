// RSVP registration and cancellation for `rsvp` events: one seat per RSVP taken and released with
// the counters of seats.ts, the waitlist joined and promoted in the same transaction (docs/ARCHITECTURE.md, invariants 1, 5, 6).
import { sql } from "kysely";
import type { Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import type { Db } from "../db/client";
import { retryOnDeadlock, useTransaction, type Trx } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { isPublic } from "../events/access";
import { notifyRsvpConfirmed, notifyWaitlistJoined } from "../mail/notify";
import { fromUserAndEvent, insertOrReactivateRsvp, SEAT_HOLDING, transition } from "./participations.repository";
import { lockEventSeats, releaseSeats, takeSeats } from "./seats";
import { participationViewOrThrow, type ParticipationView } from "./views";
import { promoteWaitlist } from "./waitlist";

export interface RsvpInput {
  eventId: string;
  /** Recorded in participation_history with the caller (docs/ARCHITECTURE.md, invariant 6). */
  ip?: string;
  userAgent?: string;
}

export interface CancelRsvpInput extends RsvpInput {
  reason?: string;
  /** Holds for ticket participations promoted by the freed seat (RSVPs go straight to active). */
  holdTtlSeconds: number;
}

const alreadyRegistered = () => new DomainError("already_registered", "You already have an RSVP or a waitlist place for this event");
const closed = (why: string) => new DomainError("invalid_state", why);

/** The event as registration sees it; anything not public does not exist for the caller (404). */
async function rsvpEvent(db: Db, eventId: string) {
  const event = await db
    .selectFrom("events")
    .select([
      "kind",
      "status",
      "publishedAt",
      "waitlistEnabled",
      sql<boolean>`seats_taken >= capacity`.as("full"),
      sql<boolean>`ends_at <= now()`.as("ended"),
    ])
    .where("id", "=", eventId)
    .executeTakeFirst();
  if (!event || !isPublic(event)) throw notFound("Event");
  if (event.kind !== "rsvp") throw closed("This event sells tickets: order one instead of sending an RSVP");
  if (event.ended) throw new DomainError("event_ended", "This event has ended: RSVPs are closed");
  return event;
}

// Rolls a transaction back without an error reaching the caller: the optimistic path found no seat.
const NO_SEAT = Symbol("no seat");

const audit = (trx: Trx, actor: Actor, input: RsvpInput, reason: string | null) =>
  setAuditContext(trx, { actorId: actor.userId, reason, ip: input.ip ?? null, userAgent: input.userAgent ?? null });

/**
 * The hot path while seats remain: the participation first (an already-registered caller fails
 * here, before touching the event row), then the seat. The seat UPDATE locks the event row that
 * every registration for this event needs, so it is the last statement before COMMIT.
 */
async function registerWithSeat(db: Db, actor: Actor, input: RsvpInput): Promise<string | undefined> {
  try {
    return await useTransaction(db, async (trx) => {
      await audit(trx, actor, input, "RSVP");
      const row = await insertOrReactivateRsvp(trx, {
        eventId: input.eventId,
        userId: actor.userId,
        status: "active",
        actorId: actor.userId,
      });
      if (!row) throw alreadyRegistered();
      if (!(await takeSeats(trx, { eventId: input.eventId, ticketTypeId: null, quantity: 1 }))) {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a private sentinel the catch below turns into the waitlist path
        throw NO_SEAT;
      }
      await notifyRsvpConfirmed(trx, row.id);
      return row.id;
    });
  } catch (error) {
    if (error === NO_SEAT) return undefined;
    throw error;
  }
}

/**
 * The path once the event looks full: decide seat or waitlist holding the event row lock. A
 * cancellation releases and promotes under the same lock, so it either finishes first (and we see
 * its free seat, or the seat already given to the queue) or waits and then promotes our committed
 * row: a waitlisted RSVP never sits behind a free seat, and waitlisted_at order is commit order.
 */
async function registerUnderLock(db: Db, actor: Actor, input: RsvpInput): Promise<string> {
  return useTransaction(db, async (trx) => {
    await audit(trx, actor, input, "RSVP");
    const seats = await lockEventSeats(trx, input.eventId);
    if (seats?.status !== "published") throw closed("This event is not open for RSVPs");
    const seat = seats.seatsTaken < seats.capacity && (await takeSeats(trx, { eventId: input.eventId, ticketTypeId: null, quantity: 1 }));
    // Re-read under the lock: the organizer may have switched the waitlist off meanwhile.
    if (!seat && !seats.waitlistEnabled) throw new DomainError("event_full", "This event is full");
    const row = await insertOrReactivateRsvp(trx, {
      eventId: input.eventId,
      userId: actor.userId,
      status: seat ? "active" : "waitlisted",
      actorId: actor.userId,
    });
    if (!row) throw alreadyRegistered();
    await (seat ? notifyRsvpConfirmed(trx, row.id) : notifyWaitlistJoined(trx, row.id));
    return row.id;
  });
}

/**
 * RSVPs the caller: active while seats remain; waitlisted when full and the event has a waitlist;
 * 409 event_full otherwise. Re-registering after a cancellation reactivates the same row.
 * The seat path locks participation then event, every other path event then participation, so a
 * user racing themselves (double submit, cancel + re-register) can deadlock: PostgreSQL aborts one
 * side, and running it again sees the other side's outcome.
 */
export async function registerRsvp(db: Db, actor: Actor, input: RsvpInput): Promise<ParticipationView> {
  const id = await retryOnDeadlock(async () => {
    const event = await rsvpEvent(db, input.eventId);
    if (event.status !== "published") throw closed("This event is not open for RSVPs");
    if (!(event.full && event.waitlistEnabled)) {
      const id = await registerWithSeat(db, actor, input);
      if (id) return id;
      if (!event.waitlistEnabled) {
        // No seat can also mean the event stopped being published meanwhile: say which.
        const now = await rsvpEvent(db, input.eventId);
        if (now.status !== "published") throw closed("This event is not open for RSVPs");
        throw new DomainError("event_full", "This event is full");
      }
    }
    return registerUnderLock(db, actor, input);
  });
  return participationViewOrThrow(db, id);
}

/**
 * Cancels the caller's RSVP. An active one gives its seat back exactly once (the conditional status
 * change comes first) and the seat goes to the head of the waitlist in the same transaction; a
 * waitlisted one just leaves the queue, touching no seat. Cancelling an already cancelled RSVP
 * changes nothing and returns it (DELETE is idempotent); never having registered is 409 not_registered.
 */
export async function cancelRsvp(db: Db, actor: Actor, input: CancelRsvpInput): Promise<ParticipationView> {
  await rsvpEvent(db, input.eventId);
  const id = await retryOnDeadlock(() =>
    useTransaction(db, async (trx) => {
      await audit(trx, actor, input, input.reason ?? "RSVP cancelled by the attendee");
      // A waitlisted row can be promoted between our read and our update: then look again.
      for (let look = 0; look < 3; look++) {
        const own = await fromUserAndEvent(trx, actor.userId, input.eventId);
        if (!own) throw new DomainError("not_registered", "You have no RSVP for this event");
        if (own.status === "cancelled" || own.status === "refunded") return own.id;
        const holdsSeats = SEAT_HOLDING.includes(own.status);
        // Event row before participation: the order event cancellation and promotion lock them in.
        if (holdsSeats) await lockEventSeats(trx, own.eventId);
        const cancelled = await transition(trx, own.id, {
          from: [own.status],
          to: "cancelled",
          reason: input.reason ?? null,
          actorId: actor.userId,
        });
        if (!cancelled) continue;
        if (holdsSeats) {
          // Promotions are the system's doing, not the canceller's: their history says so.
          await setAuditContext(trx, { reason: "Promoted from the waitlist: a seat was freed" });
          await releaseSeats(trx, { eventId: own.eventId, ticketTypeId: own.ticketTypeId, quantity: own.quantity });
          await promoteWaitlist(trx, own.eventId, { holdTtlSeconds: input.holdTtlSeconds });
        }
        return own.id;
      }
      throw new DomainError("conflict", "Your RSVP is changing concurrently; try again");
    }),
  );
  return participationViewOrThrow(db, id);
}
