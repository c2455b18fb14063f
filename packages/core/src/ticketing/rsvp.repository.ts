// place_rsvp() and cancel_rsvp() (migration 0014): an RSVP, or its cancellation, as one statement each.
import { sql } from "kysely";
import { clientFacts } from "../db/audit-context";
import type { Db } from "../db/client";
import type { EventKind, EventStatus } from "../events/events.table";
import type { ParticipationView } from "./views";

/** Who calls, for which event, and the budget of their lock waits. */
export interface RsvpCall {
  eventId: string;
  userId: string;
  ip?: string | null;
  userAgent?: string | null;
  /** The invocation's budget for lock waits, e.g. "800ms"; null keeps the session's. */
  lockTimeout: string | null;
}

/** The event as the call read it before writing anything; null when there is no such event. */
export interface RsvpEventFacts {
  kind: EventKind;
  status: EventStatus;
  publishedAt: string | null;
  ended: boolean;
}

export type RsvpOutcome =
  /** Committed: the resource built from the rows written, and the outbox rows to nudge. */
  | { kind: "done"; participation: ParticipationView; mailIds: string[] }
  /** Refused before any write: the caller names why from the event's facts. */
  | { kind: "closed"; event: RsvpEventFacts | null }
  | { kind: "no_seat" | "already_registered" | "event_full" | "not_open" | "not_registered" | "changing" };

/** SQLSTATEs raised by the functions; each rolled its call back. */
const REFUSALS: Record<string, RsvpOutcome> = {
  EVR01: { kind: "no_seat" },
  EVR02: { kind: "already_registered" },
  EVR03: { kind: "event_full" },
  EVR04: { kind: "not_open" },
  EVR05: { kind: "not_registered" },
  EVR06: { kind: "changing" },
};

type Answer = { closed: RsvpEventFacts | null } | { participation: ParticipationView; mailIds: string[] };

async function callRsvpFunction(db: Db, fn: "place_rsvp" | "cancel_rsvp", args: Record<string, unknown>): Promise<RsvpOutcome> {
  try {
    const { rows } = await sql<{ answer: Answer }>`SELECT ${sql.raw(fn)}(${JSON.stringify(args)}::jsonb) AS answer`.execute(db);
    const answer = rows[0]!.answer;
    return "closed" in answer ? { kind: "closed", event: answer.closed } : { kind: "done", ...answer };
  } catch (error) {
    const refusal = REFUSALS[(error as { code?: string } | null)?.code ?? ""];
    if (refusal) return refusal;
    throw error;
  }
}

const callArgs = ({ ip, userAgent, ...rest }: RsvpCall) => ({ ...rest, ...clientFacts(ip, userAgent) });

/**
 * The RSVP, committed on its own. `underLock` decides seat or waitlist holding the event row: for
 * the call after the hot path found no seat (no_seat).
 */
export const placeRsvp = (db: Db, call: RsvpCall, underLock: boolean): Promise<RsvpOutcome> =>
  callRsvpFunction(db, "place_rsvp", { ...callArgs(call), underLock });

/** The cancellation with its seat release and the waitlist's promotion, committed on its own. */
export const cancelRsvpRow = (db: Db, call: RsvpCall, reason: string | null): Promise<RsvpOutcome> =>
  callRsvpFunction(db, "cancel_rsvp", { ...callArgs(call), reason });
