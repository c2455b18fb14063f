// Shared test fixtures: users, venues, categories, events, ticket types and promo codes, made
// through the core services (so they obey every rule) with defaults that make a usable event.
//
//   const org = await makeActor(db, { role: "organizer" });        // org.as → rt.call(..., { as: org.as })
//   const event = await makeEvent(db, org, { kind: "ticketed" });   // published, 100 seats, in 30 days
//   const tt = await makeTicketType(db, org, event.id, { priceMinor: 1000 });
//   const code = await makePromoCode(db, org, event.id, { percentOff: 10 });
//   await seatParticipant(db, { eventId: event.id, userId: member.userId, quantity: 2 });  // raw, see below
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { rolesFromGroups, type Actor } from "@evently/core/auth/actor";
import type { Db } from "@evently/core/db/client";
import type { Category, Venue } from "@evently/core/events/events.table";
import { cancelEvent, createEvent, publishEvent, type CreateEventInput, type EventView, type TicketTypeView } from "@evently/core/events";
import { createPromoCode, type CreatePromoCodeInput, type PromoCodeView } from "@evently/core/ticketing/promo-codes";
import { createTicketType, type CreateTicketTypeInput } from "@evently/core/ticketing/ticket-types";
import type { Participation, ParticipationStatus } from "@evently/core/ticketing/ticketing.table";
import { resolveActor } from "@evently/core/users";

export type TestRole = "member" | "organizer" | "admin";

/** An Actor with its users row, plus `as` for `rt.call(…, { as })` with a matching token. */
export interface TestActor extends Actor {
  as: { sub: string; role: TestRole };
}

/** ISO timestamp `days` (may be fractional or negative) from `base` (default: now). */
export const inDays = (days: number, base: Date = new Date()): string => new Date(base.getTime() + days * 86_400_000).toISOString();

let counter = 0;
const next = () => ++counter;

/**
 * A user with a role (default member), created exactly as the API does on first sight. The email
 * is the one local tokens carry, so HTTP calls with `as` find this very row unchanged.
 */
export async function makeActor(db: Db, options: { sub?: string; role?: TestRole } = {}): Promise<TestActor> {
  const sub = options.sub ?? `user-${randomUUID()}`;
  const role = options.role ?? "member";
  const actor = await resolveActor(db, { sub, email: `${sub}@example.test`, roles: rolesFromGroups(role === "member" ? [] : [role]) });
  return { ...actor, as: { sub, role } };
}

export async function makeVenue(db: Db, overrides: Partial<Pick<Venue, "name" | "city" | "capacity">> = {}): Promise<Venue> {
  return db
    .insertInto("venues")
    .values({ name: `Venue ${next()}`, ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeCategory(db: Db, overrides: Partial<Pick<Category, "name" | "slug">> = {}): Promise<Category> {
  const n = next();
  return db
    .insertInto("categories")
    .values({ name: `Category ${n}`, slug: `category-${n}-${randomUUID().slice(0, 8)}`, ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type MakeEventOptions = Partial<CreateEventInput> & {
  /** Where the event ends up (default "published"); "cancelled" publishes first, then cancels. */
  status?: "draft" | "published" | "cancelled";
};

/**
 * An event organized by `organizer` (who needs the organizer or admin role): by default an RSVP
 * event with 100 seats, starting in 30 days for 2 hours, published.
 */
export async function makeEvent(db: Db, organizer: Actor, overrides: MakeEventOptions = {}): Promise<EventView> {
  const { status = "published", ...input } = overrides;
  const startsAt = input.startsAt ?? inDays(30);
  const draft = await createEvent(db, organizer, {
    title: `Test event ${next()}`,
    kind: "rsvp",
    capacity: 100,
    ...input,
    startsAt,
    endsAt: input.endsAt ?? new Date(new Date(startsAt).getTime() + 2 * 3_600_000).toISOString(),
  });
  if (status === "draft") return draft;
  const published = await publishEvent(db, organizer, draft.id);
  return status === "published" ? published : cancelEvent(db, organizer, draft.id, { reason: "fixture" });
}

/** A ticket type (default: "General", 25.00 USD, unlimited quantity) on a ticketed event. */
export async function makeTicketType(
  db: Db,
  organizer: Actor,
  eventId: string,
  overrides: Partial<CreateTicketTypeInput> = {},
): Promise<TicketTypeView> {
  return createTicketType(db, organizer, eventId, { name: `General ${next()}`, priceMinor: 2500, currency: "USD", ...overrides });
}

/** A promo code (default: a unique code, 10 % off) on a ticketed event. */
export async function makePromoCode(
  db: Db,
  organizer: Actor,
  eventId: string,
  overrides: Partial<CreatePromoCodeInput> = {},
): Promise<PromoCodeView> {
  const input = { code: `CODE${next()}`, ...overrides };
  if (input.amountOffMinor === undefined && input.percentOff === undefined) input.percentOff = 10;
  return createPromoCode(db, organizer, eventId, input);
}

/**
 * RAW, bypassing the participation service: inserts a participation and, for active/pending,
 * takes its seats with the same conditional UPDATEs as docs/ARCHITECTURE.md, invariant 1. For tests that need
 * counters in a given state (capacity edits, cancellation, reports), not for testing registration.
 */
export async function seatParticipant(
  db: Db,
  p: { eventId: string; userId: string; status?: ParticipationStatus; quantity?: number; ticketTypeId?: string | null },
): Promise<Participation> {
  const status = p.status ?? "active";
  const quantity = p.quantity ?? 1;
  const ticketTypeId = p.ticketTypeId ?? null;
  return db.transaction().execute(async (trx) => {
    if (status === "active" || status === "pending") {
      const event = await trx
        .updateTable("events")
        .set({ seatsTaken: sql`seats_taken + ${quantity}` })
        .where("id", "=", p.eventId)
        .where(sql<boolean>`seats_taken + ${quantity} <= capacity`)
        .returning("id")
        .executeTakeFirst();
      if (!event) throw new Error("seatParticipant: the event has no room");
      if (ticketTypeId) {
        const type = await trx
          .updateTable("ticketTypes")
          .set({ quantityTaken: sql`quantity_taken + ${quantity}` })
          .where("id", "=", ticketTypeId)
          .where(sql<boolean>`(quantity IS NULL OR quantity_taken + ${quantity} <= quantity)`)
          .returning("id")
          .executeTakeFirst();
        if (!type) throw new Error("seatParticipant: the ticket type has no room");
      }
    }
    return trx
      .insertInto("participations")
      .values({
        eventId: p.eventId,
        userId: p.userId,
        kind: ticketTypeId ? "ticket" : "rsvp",
        status,
        quantity,
        ticketTypeId,
        holdExpiresAt: status === "pending" ? new Date(Date.now() + 900_000) : null,
        waitlistedAt: status === "waitlisted" ? new Date() : null,
        cancelledAt: status === "cancelled" || status === "refunded" ? new Date() : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
