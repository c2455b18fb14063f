// Queries for ordering tickets: what an order needs to be priced, and the rows one creates.
import { sql } from "kysely";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import type { Currency } from "../money";
import type { PriceBreakdown } from "../ticketing/pricing";
import { holdUntil } from "../ticketing/participations.repository";
import type { Participation, ParticipationStatus } from "../ticketing/ticketing.table";

type Conn = Db | Trx;

export function eventWithTicketType(db: Conn, eventId: string, ticketTypeId: string) {
  return db
    .selectFrom("events as e")
    .leftJoin("ticketTypes as t", (join) => join.onRef("t.eventId", "=", "e.id").on("t.id", "=", ticketTypeId))
    .select([
      "e.id as eventId",
      "e.kind",
      "e.status as eventStatus",
      "e.waitlistEnabled",
      "e.title",
      "e.organizerId",
      "e.capacity",
      "e.seatsTaken",
      "e.startsAt",
      "t.quantity",
      "t.quantityTaken",
      "t.id as ticketTypeId",
      "t.priceMinor",
      "t.currency",
      "t.active",
      "t.salesStartAt",
      "t.salesEndAt",
      "t.earlyBirdPriceMinor",
      "t.earlyBirdUntil",
      "t.groupMinQuantity",
      "t.groupDiscountPercent",
      "t.slidingScaleMaxPercent",
      "t.minPerOrder",
      "t.maxPerOrder",
    ])
    .where("e.id", "=", eventId)
    .executeTakeFirst();
}

export const promoByCode = (db: Conn, eventId: string, normalizedCode: string) =>
  db
    .selectFrom("promoCodes")
    .selectAll()
    .where("eventId", "=", eventId)
    .where(sql<string>`lower(code)`, "=", normalizedCode)
    .executeTakeFirst();

/** Counts one use unless the code is exhausted; false means someone took the last use. */
export async function consumePromo(trx: Trx, promoId: string): Promise<boolean> {
  const row = await trx
    .updateTable("promoCodes")
    .set({ uses: sql`uses + 1` })
    .where("id", "=", promoId)
    .where(sql<boolean>`(max_uses IS NULL OR uses < max_uses)`)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export interface TicketParticipationInput {
  eventId: string;
  userId: string;
  ticketTypeId: string;
  quantity: number;
  status: Extract<ParticipationStatus, "pending" | "active" | "waitlisted">;
  holdTtlSeconds: number;
  metadata?: Record<string, unknown>;
}

/**
 * Inserts the buyer's participation, or reactivates their cancelled/refunded row (one row per
 * user and event). Returns undefined when they already hold a live participation.
 */
export async function upsertTicketParticipation(trx: Trx, p: TicketParticipationInput): Promise<Participation | undefined> {
  const hold = p.status === "pending" ? holdUntil(p.holdTtlSeconds) : sql<Date | null>`NULL::timestamptz`;
  const waitlistedAt = p.status === "waitlisted" ? sql<Date | null>`clock_timestamp()` : sql<Date | null>`NULL::timestamptz`;
  const metadata = JSON.stringify(p.metadata ?? {});
  // What a new row and a reactivated one both get.
  const live = {
    kind: "ticket" as const,
    status: p.status,
    quantity: p.quantity,
    ticketTypeId: p.ticketTypeId,
    holdExpiresAt: hold,
    waitlistedAt,
    metadata: sql<Record<string, unknown>>`${metadata}::jsonb`,
    updatedBy: p.userId,
  };
  return trx
    .insertInto("participations")
    .values({ ...live, eventId: p.eventId, userId: p.userId, createdBy: p.userId })
    .onConflict((oc) =>
      oc
        .columns(["userId", "eventId"])
        .doUpdateSet({ ...live, cancelledAt: null, cancellationReason: null })
        .where("participations.status", "in", ["cancelled", "refunded"]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** An order's price as the order row stores it. */
export const priceColumns = (price: PriceBreakdown) => ({
  unitPriceMinor: price.unitPriceMinor,
  earlyBirdApplied: price.earlyBirdApplied,
  groupDiscountMinor: price.groupDiscountMinor,
  promoDiscountMinor: price.promoDiscountMinor,
  slidingScalePercent: price.slidingScalePercent,
  slidingScaleDiscountMinor: price.slidingScaleDiscountMinor,
  subtotalMinor: price.subtotalMinor,
  amountMinor: price.totalMinor,
  currency: price.currency as Currency,
});

export interface NewOrderRows {
  participationId: string;
  eventId: string;
  userId: string;
  ticketTypeId: string;
  quantity: number;
  unitPriceMinor: number;
  earlyBirdApplied: boolean;
  groupDiscountMinor: number;
  promoCodeId: string | null;
  promoDiscountMinor: number;
  slidingScalePercent: number;
  slidingScaleDiscountMinor: number;
  subtotalMinor: number;
  amountMinor: number;
  currency: Currency;
  holdExpiresAt: Date | null;
  /** Zero totals confirm at once and create no payment. */
  confirmed: boolean;
}

/** The buyer's live seat hold for the event: its pending order, if any. */
export const pendingOrderOf = (db: Conn, userId: string, eventId: string) =>
  db
    .selectFrom("orders as o")
    .innerJoin("participations as p", "p.id", "o.participationId")
    .select("o.id")
    .where("p.userId", "=", userId)
    .where("p.eventId", "=", eventId)
    .where("p.status", "=", "pending")
    .where("o.status", "=", "pending")
    .orderBy("o.createdAt", "desc")
    .limit(1)
    .executeTakeFirst();

/**
 * Order, its payment, the PaymentInitiated audit row and the task that creates the PaymentIntent
 * after commit, in one statement (one round trip).
 */
export async function insertOrderAndPayment(trx: Trx, o: NewOrderRows, meta: { ip?: string | null; userAgent?: string | null }) {
  const { confirmed, ...order } = o;
  const { rows } = await sql<{ orderId: string; paymentId: string | null; intentTaskId: string | null }>`
    WITH o AS (
      INSERT INTO orders (participation_id, event_id, user_id, ticket_type_id, quantity, unit_price_minor,
        early_bird_applied, group_discount_minor, promo_code_id, promo_discount_minor, sliding_scale_percent,
        sliding_scale_discount_minor, subtotal_minor, amount_minor, currency, status, hold_expires_at)
      VALUES (${order.participationId}, ${order.eventId}, ${order.userId}, ${order.ticketTypeId}, ${order.quantity},
        ${order.unitPriceMinor}, ${order.earlyBirdApplied}, ${order.groupDiscountMinor}, ${order.promoCodeId},
        ${order.promoDiscountMinor}, ${order.slidingScalePercent}, ${order.slidingScaleDiscountMinor},
        ${order.subtotalMinor}, ${order.amountMinor}, ${order.currency}, ${confirmed ? "confirmed" : "pending"},
        ${order.holdExpiresAt})
      RETURNING id
    ), p AS (
      INSERT INTO payments (order_id, user_id, amount_minor, currency, sliding_scale_percent)
      SELECT o.id, ${order.userId}, ${order.amountMinor}, ${order.currency}, ${order.slidingScalePercent}
      FROM o WHERE ${!confirmed}
      RETURNING id
    ), a AS (
      INSERT INTO payment_audit_log (payment_id, user_id, action_type, action_description, new_values, ip_address, user_agent)
      SELECT p.id, ${order.userId}, 'PaymentInitiated', 'Order placed; seats held until payment',
        jsonb_build_object('status', 'pending', 'amountMinor', ${order.amountMinor}::bigint, 'currency', ${order.currency}::text),
        ${meta.ip ?? null}::inet, ${meta.userAgent ?? null}
      FROM p
    ), t AS (
      INSERT INTO provider_tasks (kind, payment_id) SELECT 'create_intent', p.id FROM p RETURNING id
    )
    SELECT o.id AS order_id, (SELECT id FROM p) AS payment_id, (SELECT id FROM t) AS intent_task_id FROM o`.execute(trx);
  const row = rows[0];
  if (!row) throw new Error("order insert returned no row");
  return row;
}

/**
 * A payment's order, its participation (locked) and whether that order is the participation's
 * latest: a buyer who re-registered since has a newer order that an older payment must not touch.
 */
export async function ticketOf(trx: Trx, orderId: string) {
  const order = await trx.selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirstOrThrow();
  const participation = await trx
    .selectFrom("participations")
    .selectAll()
    .where("id", "=", order.participationId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const latest = await latestOrderOf(trx, participation.id);
  return { order, participation, current: latest?.id === order.id };
}

/** A participation's latest order: a buyer who re-registered has older ones that are history. */
export const latestOrderOf = (db: Conn, participationId: string) =>
  db
    .selectFrom("orders")
    .select("id")
    .where("participationId", "=", participationId)
    .orderBy("createdAt", "desc")
    .limit(1)
    .executeTakeFirst();
