// The Participation resource (docs/API.md "Resource shapes") as one query, shared by RSVP, check-ins,
// dashboards and the payments code's order responses.
import { sql, type ExpressionBuilder, type RawBuilder } from "kysely";
import type { Db } from "../db/client";
import type { Database } from "../db/database";
import type { Trx } from "../db/transaction";
import type { PaymentStatus } from "../payments/payments.table";
import type { ParticipationKind, ParticipationStatus, ParticipationsTable } from "./ticketing.table";

export interface ParticipationView {
  id: string;
  eventId: string;
  userId: string;
  kind: ParticipationKind;
  status: ParticipationStatus;
  quantity: number;
  /** 1-based place in the event's queue while waitlisted, else null. */
  waitlistPosition: number | null;
  holdExpiresAt: string | null;
  /** Microsecond precision: rendered by the database, since a JS Date keeps milliseconds only. */
  createdAt: string;
  cancelledAt: string | null;
  checkedInAt: string | null;
}

/** What a participation's money looks like on dashboards: null for RSVPs and unpaid orders. */
export interface PaymentSummary {
  paymentStatus: PaymentStatus | null;
  amountPaidMinor: number | null;
  currency: string | null;
}

const ISO_US = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';

/**
 * ISO-8601 UTC with microseconds, formatted in SQL. Every participation timestamp uses it so one
 * resource never mixes precisions, and keyset cursors can compare exactly what they were given.
 */
export const isoMicros = (column: string): RawBuilder<string> => sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', ${ISO_US})`;

// Positions are derived, never stored: a cancellation or promotion renumbers the queue by itself.
// (waitlisted_at, id) is the order promoteWaitlist takes, and participations_waitlist_idx serves it.
const waitlistPosition = sql<number | null>`CASE WHEN p.status = 'waitlisted' THEN (
  SELECT count(*)::int FROM participations w
  WHERE w.event_id = p.event_id AND w.status = 'waitlisted'
    AND (w.waitlisted_at, w.id) <= (p.waitlisted_at, p.id)) END`;

/**
 * The view's base query over `participations as p` (+ `check_ins as ci`); add joins, filters and
 * ordering on the `p` alias. Payments can select more columns next to these.
 */
export function selectParticipations(db: Db | Trx) {
  return db
    .selectFrom("participations as p")
    .leftJoin("checkIns as ci", "ci.participationId", "p.id")
    .select([
      "p.id",
      "p.eventId",
      "p.userId",
      "p.kind",
      "p.status",
      "p.quantity",
      waitlistPosition.as("waitlistPosition"),
      isoMicros("p.holdExpiresAt").as("holdExpiresAt"),
      isoMicros("p.createdAt").as("createdAt"),
      isoMicros("p.cancelledAt").as("cancelledAt"),
      isoMicros("ci.checkedInAt").as("checkedInAt"),
    ]);
}

/** Picks exactly the Participation fields from a wider row (dashboards add their own columns). */
export const toParticipationView = (row: ParticipationView): ParticipationView => ({
  id: row.id,
  eventId: row.eventId,
  userId: row.userId,
  kind: row.kind,
  status: row.status,
  quantity: row.quantity,
  waitlistPosition: row.waitlistPosition,
  holdExpiresAt: row.holdExpiresAt,
  createdAt: row.createdAt,
  cancelledAt: row.cancelledAt,
  checkedInAt: row.checkedInAt,
});

export async function participationView(db: Db | Trx, id: string): Promise<ParticipationView | undefined> {
  const row = await selectParticipations(db).where("p.id", "=", id).executeTakeFirst();
  return row && toParticipationView(row);
}

/** Several participations at once, in the order of `ids` (unknown ids are left out). */
export async function participationViews(db: Db | Trx, ids: readonly string[]): Promise<ParticipationView[]> {
  if (ids.length === 0) return [];
  const rows = await selectParticipations(db)
    .where("p.id", "in", [...ids])
    .execute();
  const byId = new Map(rows.map((row) => [row.id, toParticipationView(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** For callers that just wrote the row: its absence is a bug, not a 404. */
export async function participationViewOrThrow(db: Db | Trx, id: string): Promise<ParticipationView> {
  const view = await participationView(db, id);
  if (!view) throw new Error(`participation ${id} vanished`);
  return view;
}

// Money captured and still kept: what the customer has actually paid, net of refunds.
const CAPTURED = sql`pay.status IN ('completed', 'partially_refunded', 'refunded')`;

/**
 * A lateral subquery (alias `pm`) with the payment of a participation's latest order: its captured
 * payment if any, else its latest attempt. Join it with `.leftJoinLateral(paymentSummary, (j) => j.onTrue())`.
 */
export const paymentSummary = (eb: ExpressionBuilder<Database & { p: ParticipationsTable }, "p">) =>
  eb
    .selectFrom("orders as o")
    .innerJoin("payments as pay", "pay.orderId", "o.id")
    .select([
      "pay.id as paymentId",
      "pay.status as paymentStatus",
      "pay.currency as currency",
      sql<number>`CASE WHEN ${CAPTURED} THEN pay.amount_minor - pay.refunded_minor ELSE 0 END`.as("amountPaidMinor"),
    ])
    .whereRef("o.participationId", "=", "p.id")
    .orderBy("o.createdAt", "desc")
    .orderBy(sql`${CAPTURED}`, "desc")
    .orderBy("pay.createdAt", "desc")
    .limit(1)
    .as("pm");

/**
 * paymentSummary plus the participation's latest order (`orderId`, with or without a payment) in
 * one lateral (alias `pm`): one orders lookup per row where the list needed two.
 */
export const orderSummary = (eb: ExpressionBuilder<Database & { p: ParticipationsTable }, "p">) =>
  eb
    .selectFrom("orders as o")
    .leftJoin("payments as pay", "pay.orderId", "o.id")
    .select([
      sql<string>`first_value(o.id) OVER (ORDER BY o.created_at DESC)`.as("orderId"),
      "pay.id as paymentId",
      "pay.status as paymentStatus",
      "pay.currency as currency",
      sql<number | null>`CASE WHEN pay.id IS NULL THEN NULL WHEN ${CAPTURED} THEN pay.amount_minor - pay.refunded_minor ELSE 0 END`.as(
        "amountPaidMinor",
      ),
    ])
    .whereRef("o.participationId", "=", "p.id")
    // An order without a payment (a free or comped one) only when no order has one: paymentSummary's choice.
    .orderBy(sql`pay.id IS NULL`)
    .orderBy("o.createdAt", "desc")
    .orderBy(sql`${CAPTURED}`, "desc")
    .orderBy("pay.createdAt", "desc")
    .limit(1)
    .as("pm");
