// Aggregates behind the event report: participation counts, seats per ticket type, money per currency.
import type { Db } from "../db/client";
import type { Currency } from "../money";
import type { PaymentStatus } from "../payments/payments.table";
import type { ParticipationStatus } from "../ticketing/ticketing.table";

/**
 * Payments that captured money. A refund, whole or partial, does not undo the capture: the
 * refunded part is reported separately, so these all count towards gross revenue.
 */
export const CAPTURED: readonly PaymentStatus[] = ["completed", "partially_refunded", "refunded"];

export interface StatusCount {
  status: ParticipationStatus;
  participations: number;
  seats: number;
}

export async function participationCounts(db: Db, eventId: string): Promise<StatusCount[]> {
  const rows = await db
    .selectFrom("participations")
    .select((eb) => ["status", eb.fn.countAll<string>().as("participations"), eb.fn.sum<string>("quantity").as("seats")])
    .where("eventId", "=", eventId)
    .groupBy("status")
    .execute();
  return rows.map((r) => ({ status: r.status, participations: Number(r.participations), seats: Number(r.seats) }));
}

export async function checkedInCount(db: Db, eventId: string): Promise<number> {
  const row = await db
    .selectFrom("checkIns")
    .innerJoin("participations", "participations.id", "checkIns.participationId")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("participations.eventId", "=", eventId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Seats of active (sold) and pending (held) participations, per ticket type. */
export async function seatsByTicketType(db: Db, eventId: string): Promise<Map<string, { sold: number; held: number }>> {
  const rows = await db
    .selectFrom("participations")
    .select((eb) => ["ticketTypeId", "status", eb.fn.sum<string>("quantity").as("seats")])
    .where("eventId", "=", eventId)
    .where("ticketTypeId", "is not", null)
    .where("status", "in", ["active", "pending"])
    .groupBy(["ticketTypeId", "status"])
    .execute();
  const byType = new Map<string, { sold: number; held: number }>();
  for (const r of rows) {
    if (!r.ticketTypeId) continue;
    const entry = byType.get(r.ticketTypeId) ?? { sold: 0, held: 0 };
    if (r.status === "active") entry.sold += Number(r.seats);
    else entry.held += Number(r.seats);
    byType.set(r.ticketTypeId, entry);
  }
  return byType;
}

const capturedPayments = (db: Db, eventId: string) =>
  db
    .selectFrom("payments")
    .innerJoin("orders", "orders.id", "payments.orderId")
    .where("orders.eventId", "=", eventId)
    .where("payments.status", "in", [...CAPTURED]);

export interface CurrencyTotal {
  currency: Currency;
  payments: number;
  amountMinor: number;
}

export async function grossByCurrency(db: Db, eventId: string): Promise<CurrencyTotal[]> {
  const rows = await capturedPayments(db, eventId)
    .select((eb) => [
      "payments.currency",
      eb.fn.countAll<string>().as("payments"),
      eb.fn.sum<string>("payments.amountMinor").as("amountMinor"),
    ])
    .groupBy("payments.currency")
    .execute();
  return rows.map((r) => ({ currency: r.currency, payments: Number(r.payments), amountMinor: Number(r.amountMinor) }));
}

/** Money actually returned: completed refunds only (processing ones may still fail). */
export async function refundedByCurrency(db: Db, eventId: string): Promise<CurrencyTotal[]> {
  const rows = await db
    .selectFrom("refunds")
    .innerJoin("payments", "payments.id", "refunds.paymentId")
    .innerJoin("orders", "orders.id", "payments.orderId")
    .select((eb) => [
      "refunds.currency",
      eb.fn.countAll<string>().as("payments"),
      eb.fn.sum<string>("refunds.amountMinor").as("amountMinor"),
    ])
    .where("orders.eventId", "=", eventId)
    .where("refunds.status", "=", "completed")
    .groupBy("refunds.currency")
    .execute();
  return rows.map((r) => ({ currency: r.currency, payments: Number(r.payments), amountMinor: Number(r.amountMinor) }));
}

export interface SlidingScaleGroup extends CurrencyTotal {
  percent: number;
}

/** Captured payments grouped by the sliding-scale percent the buyer chose on the order. */
export async function capturedBySlidingScale(db: Db, eventId: string): Promise<SlidingScaleGroup[]> {
  const rows = await capturedPayments(db, eventId)
    .select((eb) => [
      "orders.slidingScalePercent",
      "payments.currency",
      eb.fn.countAll<string>().as("payments"),
      eb.fn.sum<string>("payments.amountMinor").as("amountMinor"),
    ])
    .groupBy(["orders.slidingScalePercent", "payments.currency"])
    .execute();
  return rows.map((r) => ({
    percent: Number(r.slidingScalePercent),
    currency: r.currency,
    payments: Number(r.payments),
    amountMinor: Number(r.amountMinor),
  }));
}
