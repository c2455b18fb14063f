// RSVP registration and cancellation for `rsvp` events, each one server-side call (rsvp.repository.ts):
// one seat per RSVP, the waitlist joined and promoted under the event row's lock (docs/ARCHITECTURE.md, invariants 1, 5, 6).
import * as z from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { retryOnDeadlock, transactionBudget } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { isPublic } from "../events/access";
import { dispatchMail } from "../mail/outbox";
import { parseInput, text } from "../shared/validation";
import { cancelRsvpRow, placeRsvp, type RsvpCall, type RsvpEventFacts, type RsvpOutcome } from "./rsvp.repository";
import { onEventRow } from "./seats";
import type { ParticipationView } from "./views";

export interface RsvpInput {
  eventId: string;
  /** Recorded in participation_history with the caller (docs/ARCHITECTURE.md, invariant 6). */
  ip?: string;
  userAgent?: string;
}

export interface CancelRsvpInput extends RsvpInput {
  reason?: string;
}

/** An RSVP's body: none today; one sent must still be an object without unknown fields. */
export const RsvpBody = z.strictObject({});

/** A cancellation's body: an optional reason, kept on the row and in its history. */
export const CancelRsvpBody = z.strictObject({ reason: text(1, 1000).optional() });

const closed = (why: string) => new DomainError("invalid_state", why);
const notOpen = () => closed("This event is not open for RSVPs");

/** Names a refusal made before any write, from the event as the call read it (404 for anything not public). */
function refuse(event: RsvpEventFacts | null, registering: boolean): never {
  if (!event || !isPublic({ status: event.status, publishedAt: event.publishedAt === null ? null : new Date(event.publishedAt) })) {
    throw notFound("Event");
  }
  if (event.kind !== "rsvp") throw closed("This event sells tickets: order one instead of sending an RSVP");
  if (event.ended) throw new DomainError("event_ended", "This event has ended: RSVPs are closed");
  if (registering) throw notOpen();
  throw new Error(`cancel_rsvp refused an open event: ${JSON.stringify(event)}`);
}

/** The committed answer; every other outcome becomes its domain error. */
async function answer(outcome: RsvpOutcome, registering: boolean): Promise<ParticipationView> {
  switch (outcome.kind) {
    case "done":
      // The nudge after commit, as for every outbox row; a lost one only waits for the relay job.
      await dispatchMail(outcome.mailIds);
      return outcome.participation;
    case "closed":
      return refuse(outcome.event, registering);
    case "already_registered":
      throw new DomainError("already_registered", "You already have an RSVP or a waitlist place for this event");
    case "event_full":
      throw new DomainError("event_full", "This event is full");
    case "not_open":
      throw notOpen();
    case "not_registered":
      throw new DomainError("not_registered", "You have no RSVP for this event");
    case "changing":
      throw new DomainError("conflict", "Your RSVP is changing concurrently; try again");
    case "no_seat":
      throw new Error("place_rsvp under the lock cannot run out of seats");
  }
}

/** One call through the event's gate, with the lock-wait budget left once through it. */
function onRow(actor: Actor, input: RsvpInput, run: (call: RsvpCall) => Promise<RsvpOutcome>): Promise<RsvpOutcome> {
  return onEventRow(input.eventId, () => {
    const budget = transactionBudget();
    return run({
      eventId: input.eventId,
      userId: actor.userId,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      lockTimeout: budget ? `${budget.lockMs}ms` : null,
    });
  });
}

/**
 * RSVPs the caller: active while seats remain; waitlisted when full and the event has a waitlist;
 * 409 event_full otherwise. Re-registering after a cancellation reactivates the same row. One call
 * while seats remain; a second, deciding under the event row's lock, once the first found none.
 * The hot path locks participation then event, every other path event then participation, so a
 * user racing themselves (double submit, cancel + re-register) can deadlock: PostgreSQL aborts one
 * side, and running it again sees the other side's outcome.
 */
export async function registerRsvp(db: Db, actor: Actor, input: RsvpInput): Promise<ParticipationView> {
  const outcome = await retryOnDeadlock(async () => {
    const first = await onRow(actor, input, (call) => placeRsvp(db, call, false));
    return first.kind === "no_seat" ? onRow(actor, input, (call) => placeRsvp(db, call, true)) : first;
  });
  return answer(outcome, true);
}

/**
 * Cancels the caller's RSVP. An active one gives its seat back exactly once (the conditional status
 * change comes first) and the seat goes to the head of the waitlist in the same call; a waitlisted
 * one just leaves the queue, touching no seat. Cancelling an already cancelled RSVP changes nothing
 * and returns it (DELETE is idempotent); never having registered is 409 not_registered.
 */
export async function cancelRsvp(db: Db, actor: Actor, input: CancelRsvpInput): Promise<ParticipationView> {
  const { reason } = parseInput(CancelRsvpBody, { reason: input.reason });
  const outcome = await retryOnDeadlock(() => onRow(actor, input, (call) => cancelRsvpRow(db, call, reason ?? null)));
  return answer(outcome, false);
}
