// Comps: the organizer gives a registered user free seats — an active participation with tickets,
// no order and no payment, counted against capacity like any other seat.
import * as z from "zod";
import type { Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import { DomainError } from "../errors";
import { managedEvent } from "../events/access";
import { email, parseInput, positiveInt, uuid } from "../shared/validation";
import { takeSeats } from "../ticketing/seats";
import { participationViewOrThrow, type ParticipationView } from "../ticketing/views";
import { ticketsFor, type TicketView } from "../tickets/views";
import { fromEmail } from "../users/users.repository";

/** Whom to give seats (a registered user's email), of which ticket type, how many. */
export const CompInput = z.strictObject({ email: email(), ticketTypeId: uuid().optional(), quantity: positiveInt(1000) });
export type CompInput = z.input<typeof CompInput>;

/** Where the request came from, for the audit trail. */
export interface CompMeta {
  ip?: string | null;
  userAgent?: string | null;
}

export interface CompResult extends ParticipationView {
  tickets: TicketView[];
}

async function recipient(trx: Trx, email: string): Promise<string> {
  const user = await fromEmail(trx, email);
  if (!user) throw new DomainError("unknown_user", "No registered user has this email; they must sign in once first");
  return user.id;
}

async function ticketTypeOf(trx: Trx, eventId: string, ticketTypeId: string | undefined): Promise<string | null> {
  if (ticketTypeId === undefined) return null;
  const type = await trx
    .selectFrom("ticketTypes")
    .select("id")
    .where("id", "=", ticketTypeId)
    .where("eventId", "=", eventId)
    .executeTakeFirst();
  if (!type) throw new DomainError("unknown_ticket_type", "No such ticket type for this event");
  return type.id;
}

/**
 * Seats first (the event row's lock, as every seat-taking path), then the participation: a new
 * row, or the user's cancelled one reactivated. Activation makes the tickets (the participations
 * trigger), and the history row records who comped it and why — the comp's audit trail.
 */
export async function createComp(db: Db, actor: Actor, eventId: string, body: CompInput, meta: CompMeta = {}): Promise<CompResult> {
  const input = parseInput(CompInput, body);
  const event = await managedEvent(db, actor, eventId);
  if (event.kind === "rsvp" && input.ticketTypeId !== undefined)
    throw new DomainError("unknown_ticket_type", "An RSVP event has no ticket types");
  if (event.kind === "rsvp" && input.quantity !== 1)
    throw new DomainError("invalid_quantity", "An RSVP is for one person: comp quantity 1");
  const id = await db.transaction().execute(async (trx) => {
    await setAuditContext(trx, {
      actorId: actor.userId,
      reason: `Complimentary ${input.quantity === 1 ? "seat" : `${input.quantity} seats`}`,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent ?? null,
    });
    const userId = await recipient(trx, input.email);
    const ticketTypeId = await ticketTypeOf(trx, eventId, input.ticketTypeId);
    const live = await trx
      .selectFrom("participations")
      .select("status")
      .where("userId", "=", userId)
      .where("eventId", "=", eventId)
      .where("status", "in", ["pending", "active", "waitlisted"])
      .executeTakeFirst();
    if (live) throw new DomainError("already_registered", `This user already has a ${live.status} participation in this event`);
    if (event.status !== "published") throw new DomainError("invalid_state", "Only a published event takes comps");
    if (!(await takeSeats(trx, { eventId, ticketTypeId, quantity: input.quantity }))) {
      throw new DomainError("sold_out", "Not enough seats left for this comp");
    }
    const values = {
      kind: event.kind === "rsvp" ? ("rsvp" as const) : ("ticket" as const),
      status: "active" as const,
      quantity: input.quantity,
      ticketTypeId,
      metadata: { comp: true },
      updatedBy: actor.userId,
    };
    const row = await trx
      .insertInto("participations")
      .values({ ...values, eventId, userId, createdBy: actor.userId })
      .onConflict((oc) =>
        oc
          .columns(["userId", "eventId"])
          .doUpdateSet({
            ...values,
            holdExpiresAt: null,
            waitlistedAt: null,
            cancelledAt: null,
            cancellationReason: null,
          })
          .where("participations.status", "in", ["cancelled", "refunded"]),
      )
      .returning("id")
      .executeTakeFirst();
    // A row that turned live since the check above (the user registered meanwhile).
    if (!row) throw new DomainError("already_registered", "This user registered for the event meanwhile");
    return row.id;
  });
  const participation = await participationViewOrThrow(db, id);
  return { ...participation, tickets: (await ticketsFor(db, [id])).get(id) ?? [] };
}
