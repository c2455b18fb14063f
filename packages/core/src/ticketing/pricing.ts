// Order pricing: pure, integer-only arithmetic from a ticket type's price rules to an order total.
//
// Order of combination (each step works on what the previous one left, "the remainder"):
//   1. unit price   = early-bird price while now < earlyBird.until (the deadline instant itself is
//                     no longer early), else the base price. An early-bird price above the base
//                     price is ignored: early bird is a discount and must never raise a price.
//   2. subtotal     = unit price × quantity.
//   3. group        = groupDiscount.percent of the subtotal, when quantity ≥ minQuantity.
//   4. promo        = percentOff of the remainder, or amountOffMinor off the remainder (per order,
//                     not per ticket, capped at the remainder so it never goes below zero).
//   5. sliding scale= slidingScalePercent of the remainder (honor system, 0–75 and ≤ the ticket
//                     type's max; else validation_failed on path "slidingScalePercent").
//   6. total        = the remainder, clamped at 0.
// Percent discounts after the first apply to the remainder, not the list price, so stacking can
// never exceed 100 %, and the sliding scale comes last so a buyer's chosen percent is exactly the
// share they save on what they would otherwise pay.
// Rounding: every percent step uses money.percentOf (exact basis points, round half up per step).
// Invariants: all values are integers, every discount ≥ 0, 0 ≤ total ≤ subtotal ≤ listPriceMinor,
// where listPriceMinor = base price × quantity (the undiscounted price shown as "was").
import { DomainError } from "../errors";
import { assertMinor, isValidPercent, percentOf, type Currency, type Money } from "../money";

export const SLIDING_SCALE_MAX_PERCENT = 75;

export interface EarlyBird {
  priceMinor: number;
  until: Date;
}

export interface GroupDiscount {
  minQuantity: number;
  percent: number;
}

/** The pricing-relevant part of a ticket type. */
export interface PricedTicketType {
  priceMinor: number;
  currency: Currency;
  earlyBird: EarlyBird | null;
  groupDiscount: GroupDiscount | null;
  slidingScaleMaxPercent: number;
}

/** A promo code's discount: exactly one of the two is set (enforced when the code is created). */
export interface PromoDiscount {
  percentOff: number | null;
  amountOffMinor: number | null;
}

export interface PriceOrderInput {
  ticketType: PricedTicketType;
  quantity: number;
  slidingScalePercent?: number;
  promo?: PromoDiscount | null;
  now: Date;
}

export interface PriceBreakdown {
  currency: Currency;
  unitPriceMinor: number;
  listPriceMinor: number;
  earlyBirdApplied: boolean;
  subtotalMinor: number;
  groupDiscountMinor: number;
  promoDiscountMinor: number;
  slidingScalePercent: number;
  slidingScaleDiscountMinor: number;
  totalMinor: number;
}

/** Step 1 on its own: the price of one ticket at `now`. */
function unitPrice(ticketType: PricedTicketType, now: Date): { unitPriceMinor: number; earlyBirdApplied: boolean } {
  const base = assertMinor(ticketType.priceMinor, "priceMinor");
  const early = ticketType.earlyBird;
  if (early && now.getTime() < early.until.getTime() && assertMinor(early.priceMinor, "earlyBird.priceMinor") <= base) {
    return { unitPriceMinor: early.priceMinor, earlyBirdApplied: true };
  }
  return { unitPriceMinor: base, earlyBirdApplied: false };
}

/** The price one ticket costs right now (early bird included), for availability displays. */
export function currentUnitPrice(ticketType: PricedTicketType, now: Date): Money {
  return { amountMinor: unitPrice(ticketType, now).unitPriceMinor, currency: ticketType.currency };
}

function invalidSlidingScale(message: string): DomainError {
  return new DomainError("validation_failed", message, { errors: [{ path: "slidingScalePercent", message }] });
}

// The buyer picks this number, so a bad value is their input error (4xx), unlike the ticket
// type's own settings, which were validated when the organizer saved them.
function checkSlidingScale(percent: number, maxPercent: number): void {
  if (!isValidPercent(percent) || percent > SLIDING_SCALE_MAX_PERCENT) {
    throw invalidSlidingScale(`Sliding scale must be 0–${SLIDING_SCALE_MAX_PERCENT} % with at most two decimals`);
  }
  if (percent > maxPercent) {
    throw invalidSlidingScale(`Sliding scale for this ticket type is at most ${maxPercent} %`);
  }
}

function promoDiscount(promo: PromoDiscount | null | undefined, remainderMinor: number): number {
  if (!promo) return 0;
  if (promo.percentOff !== null && promo.amountOffMinor !== null) {
    throw new RangeError("A promo code has either percentOff or amountOffMinor, not both");
  }
  if (promo.percentOff !== null) return percentOf(remainderMinor, promo.percentOff);
  if (promo.amountOffMinor !== null) return Math.min(assertMinor(promo.amountOffMinor, "amountOffMinor"), remainderMinor);
  return 0;
}

/** Prices an order; see the top of this file for the order of combination and rounding. */
export function priceOrder(input: PriceOrderInput): PriceBreakdown {
  const { ticketType, quantity, now } = input;
  if (!Number.isSafeInteger(quantity) || quantity < 1) {
    throw new DomainError("invalid_quantity", "Quantity must be a whole number of at least 1");
  }
  const slidingScalePercent = input.slidingScalePercent ?? 0;
  checkSlidingScale(slidingScalePercent, ticketType.slidingScaleMaxPercent);

  const { unitPriceMinor, earlyBirdApplied } = unitPrice(ticketType, now);
  const listPriceMinor = assertMinor(ticketType.priceMinor * quantity, "listPriceMinor");
  const subtotalMinor = assertMinor(unitPriceMinor * quantity, "subtotalMinor");
  let remainder = subtotalMinor;

  const group = ticketType.groupDiscount;
  const groupDiscountMinor = group && quantity >= group.minQuantity ? percentOf(remainder, group.percent) : 0;
  remainder -= groupDiscountMinor;

  const promoDiscountMinor = promoDiscount(input.promo, remainder);
  remainder -= promoDiscountMinor;

  const slidingScaleDiscountMinor = percentOf(remainder, slidingScalePercent);
  remainder -= slidingScaleDiscountMinor;

  return {
    currency: ticketType.currency,
    unitPriceMinor,
    listPriceMinor,
    earlyBirdApplied,
    subtotalMinor,
    groupDiscountMinor,
    promoDiscountMinor,
    slidingScalePercent,
    slidingScaleDiscountMinor,
    // Every step above is capped at its remainder, so this clamp is a last line of defence only.
    totalMinor: Math.max(0, remainder),
  };
}

export const SLIDING_SCALE_RANGES = ["full_price", "light", "moderate", "high"] as const;
export type SlidingScaleRange = (typeof SLIDING_SCALE_RANGES)[number];

/** Report bucket of the sliding-scale percent: 0 full price, ≤ 25 light, ≤ 50 moderate, above that high. */
export function slidingScaleRange(percent: number): SlidingScaleRange {
  if (!Number.isFinite(percent) || percent < 0 || percent > SLIDING_SCALE_MAX_PERCENT) {
    throw new RangeError(`slidingScalePercent must be 0–${SLIDING_SCALE_MAX_PERCENT}, got ${percent}`);
  }
  if (percent === 0) return "full_price";
  if (percent <= 25) return "light";
  if (percent <= 50) return "moderate";
  return "high";
}
