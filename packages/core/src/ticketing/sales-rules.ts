// Sales rules: pure checks on whether a ticket type can be bought now, in what quantity, and with
// which promo code. Each throws the DomainError code docs/API.md promises for that failure.
//
// Time windows are half-open, [start, end): a window opens at its start instant and is already
// closed at its end instant, the same convention as the early-bird deadline in pricing.ts.
import { DomainError } from "../errors";

export interface SalesWindow {
  active: boolean;
  salesStartAt: Date | null;
  salesEndAt: Date | null;
  /** Ticket sales close when the event starts, whatever the type's own window says. */
  eventStartsAt?: Date | null;
}

export interface OrderLimits {
  minPerOrder: number | null;
  maxPerOrder: number | null;
}

export interface PromoRules {
  active: boolean;
  /** Null: every ticket type of the event. */
  ticketTypeIds?: readonly string[] | null;
  validFrom: Date | null;
  validUntil: Date | null;
  maxUses: number | null;
  uses: number;
}

const before = (now: Date, at: Date | null) => at !== null && now.getTime() < at.getTime();
const atOrAfter = (now: Date, at: Date | null) => at !== null && now.getTime() >= at.getTime();

// One function decides, so the boolean and the throwing variant can never disagree.
function notOnSaleReason(ticketType: SalesWindow, now: Date): string | null {
  if (!ticketType.active) return "This ticket type is not on sale";
  if (before(now, ticketType.salesStartAt)) return "Sales for this ticket type have not started yet";
  if (atOrAfter(now, ticketType.salesEndAt)) return "Sales for this ticket type have ended";
  if (atOrAfter(now, ticketType.eventStartsAt ?? null)) return "Ticket sales closed when the event started";
  return null;
}

/** Whether the ticket type can be bought at `now` (for availability; sold-out is checked elsewhere). */
export function isOnSale(ticketType: SalesWindow, now: Date): boolean {
  return notOnSaleReason(ticketType, now) === null;
}

export function assertOnSale(ticketType: SalesWindow, now: Date): void {
  const reason = notOnSaleReason(ticketType, now);
  if (reason !== null) throw new DomainError("not_on_sale", reason);
}

/** Quantity must be a whole number ≥ 1 and within the type's per-order limits (null = no limit). */
export function assertQuantityAllowed(ticketType: OrderLimits, quantity: number): void {
  const min = Math.max(1, ticketType.minPerOrder ?? 1);
  const max = ticketType.maxPerOrder;
  let message: string | null = null;
  if (!Number.isSafeInteger(quantity) || quantity < 1) message = "Quantity must be a whole number of at least 1";
  else if (quantity < min) message = `At least ${min} tickets of this type must be ordered together`;
  else if (max !== null && quantity > max) message = `At most ${max} tickets of this type can be ordered at once`;
  if (message !== null) {
    throw new DomainError("invalid_quantity", message, { errors: [{ path: "quantity", message }] });
  }
}

/**
 * Whether a found promo code may be used at `now`. The `uses < maxUses` test here is an early,
 * friendly answer only: concurrent orders can both pass it, so the redeeming UPDATE must repeat
 * it in its WHERE clause to stay correct under races.
 */
export function assertPromoUsable(promo: PromoRules, now: Date, ticketTypeId?: string): void {
  let reason: string | null = null;
  if (!promo.active) reason = "This promo code is no longer active";
  else if (ticketTypeId && promo.ticketTypeIds && !promo.ticketTypeIds.includes(ticketTypeId))
    reason = "This promo code does not apply to this ticket type";
  else if (before(now, promo.validFrom)) reason = "This promo code is not valid yet";
  else if (atOrAfter(now, promo.validUntil)) reason = "This promo code has expired";
  else if (promo.maxUses !== null && promo.uses >= promo.maxUses) reason = "This promo code has been used up";
  // The reason stays unsaid: one answer for every unusable code reveals nothing about other codes.
  if (reason !== null) throw invalidPromoCode();
}

/** The one answer for an unknown, inactive, used-up, expired or wrong-ticket-type code. */
export const invalidPromoCode = () => new DomainError("invalid_promo_code", "This promo code cannot be used for this order");

/**
 * The form a promo code is compared in, so " Summer10" finds "SUMMER10". Lower case (not upper)
 * on purpose: the promo_codes unique index is on lower(code), so a lookup
 * `WHERE lower(code) = normalizePromoCode(input)` uses it and agrees with what it deems a duplicate.
 * No Unicode normalization for the same reason: SQL lower() would not apply it to stored codes.
 */
export function normalizePromoCode(code: string): string {
  return code.trim().toLowerCase();
}
