// Reports service: an event's capacity use, participation counts, revenue, refunds and the
// sliding-scale distribution (four ranges of the discount percent) — for its organizer and admins.
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { managedEvent } from "../events/access";
import type { EventKind, EventStatus } from "../events/events.table";
import type { Currency } from "../money";
import { SLIDING_SCALE_RANGES, slidingScaleRange, type SlidingScaleRange } from "../ticketing/pricing";
import { listForEvent } from "../ticketing/ticket-types";
import * as q from "./queries";

/** Seed 001's labels for its four discount ranges. */
export const SLIDING_SCALE_LABELS: Record<SlidingScaleRange, string> = {
  full_price: "Full Price",
  light: "Light Discount (1-25%)",
  moderate: "Moderate Discount (26-50%)",
  high: "High Discount (51-75%)",
};

export interface EventReport {
  eventId: string;
  title: string;
  kind: EventKind;
  status: EventStatus;
  generatedAt: string;
  capacity: { capacity: number; seatsTaken: number; available: number };
  /** Participations (people) by status, and how many were checked in. */
  participations: { active: number; pending: number; waitlisted: number; cancelled: number; refunded: number; checkedIn: number };
  /** Seats by status: active = occupied, pending = held, waitlisted = wanted. */
  seats: { active: number; pending: number; waitlisted: number };
  ticketTypes: Array<{
    id: string;
    name: string;
    priceMinor: number;
    currency: Currency;
    quantity: number | null;
    quantityTaken: number;
    sold: number;
    held: number;
  }>;
  revenue: {
    /** Per currency: captured (gross), refunded (completed refunds) and net = gross − refunded. */
    byCurrency: Array<{ currency: Currency; payments: number; grossMinor: number; refundedMinor: number; netMinor: number }>;
    /** Captured payments in the four ranges of the sliding-scale percent (pricing.ts); every range always present. */
    slidingScale: Array<{
      range: SlidingScaleRange;
      label: string;
      payments: number;
      byCurrency: Array<{ currency: Currency; amountMinor: number }>;
    }>;
  };
}

/** The report of one event (404 unless the caller manages it). */
export async function eventReport(db: Db, actor: Actor, eventId: string, now = new Date()): Promise<EventReport> {
  const event = await managedEvent(db, actor, eventId);
  const [counts, checkedIn, ticketTypes, seatsByType, gross, refunded, sliding] = await Promise.all([
    q.participationCounts(db, eventId),
    q.checkedInCount(db, eventId),
    listForEvent(db, eventId),
    q.seatsByTicketType(db, eventId),
    q.grossByCurrency(db, eventId),
    q.refundedByCurrency(db, eventId),
    q.capturedBySlidingScale(db, eventId),
  ]);
  const count = (status: q.StatusCount["status"]) => counts.find((c) => c.status === status);

  // Every currency the event prices in or was paid in gets a row, zeros included.
  const currencies = [
    ...new Set<Currency>([...ticketTypes.map((t) => t.currency), ...gross.map((g) => g.currency), ...refunded.map((r) => r.currency)]),
  ].sort();
  const sum = (rows: readonly q.CurrencyTotal[], currency: Currency, field: "amountMinor" | "payments" = "amountMinor") =>
    rows.filter((r) => r.currency === currency).reduce((n, r) => n + r[field], 0);

  const slidingScale = SLIDING_SCALE_RANGES.map((range) => {
    const groups = sliding.filter((g) => slidingScaleRange(g.percent) === range);
    return {
      range,
      label: SLIDING_SCALE_LABELS[range],
      payments: groups.reduce((n, g) => n + g.payments, 0),
      byCurrency: currencies.map((currency) => ({ currency, amountMinor: sum(groups, currency) })),
    };
  });

  return {
    eventId: event.id,
    title: event.title,
    kind: event.kind,
    status: event.status,
    generatedAt: now.toISOString(),
    capacity: { capacity: event.capacity, seatsTaken: event.seatsTaken, available: Math.max(0, event.capacity - event.seatsTaken) },
    participations: {
      active: count("active")?.participations ?? 0,
      pending: count("pending")?.participations ?? 0,
      waitlisted: count("waitlisted")?.participations ?? 0,
      cancelled: count("cancelled")?.participations ?? 0,
      refunded: count("refunded")?.participations ?? 0,
      checkedIn,
    },
    seats: { active: count("active")?.seats ?? 0, pending: count("pending")?.seats ?? 0, waitlisted: count("waitlisted")?.seats ?? 0 },
    ticketTypes: ticketTypes.map((t) => ({
      id: t.id,
      name: t.name,
      priceMinor: t.priceMinor,
      currency: t.currency,
      quantity: t.quantity,
      quantityTaken: t.quantityTaken,
      sold: seatsByType.get(t.id)?.sold ?? 0,
      held: seatsByType.get(t.id)?.held ?? 0,
    })),
    revenue: {
      byCurrency: currencies.map((currency) => {
        const grossMinor = sum(gross, currency);
        const refundedMinor = sum(refunded, currency);
        return { currency, payments: sum(gross, currency, "payments"), grossMinor, refundedMinor, netMinor: grossMinor - refundedMinor };
      }),
      slidingScale,
    },
  };
}
