// Money as integer minor units: the single place where percent arithmetic and its rounding live.

export const CURRENCIES = ["USD", "EUR", "GBP", "CAD"] as const;
export type Currency = (typeof CURRENCIES)[number];

export interface Money {
  amountMinor: number;
  currency: Currency;
}

/** Upper bound of any money input (docs/API.md "Input limits"). */
export const MAX_MONEY_MINOR = 100_000_000;

const BASIS_POINTS_PER_WHOLE = 10_000;

export function isCurrency(value: string): value is Currency {
  return (CURRENCIES as readonly string[]).includes(value);
}

/**
 * Returns `n` if it is a safe, non-negative integer, else throws a RangeError.
 * A RangeError, not a DomainError: request input is already validated by the route's zod schema,
 * so a bad amount here is a bug (or an overflow) that must surface as a 5xx, not blame the client.
 */
export function assertMinor(n: number, what = "amountMinor"): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer of minor units, got ${n}`);
  }
  return n;
}

/**
 * Converts a percent with at most two decimals (0–100) to integer basis points (33.33 → 3333).
 * `33.33 * 100` is 3332.9999999999995 in floating point, so we round and then check that the
 * rounded value maps back to the very same double: that rejects 12.345 while accepting 33.33.
 */
export function toBasisPoints(percent: number): number {
  const bp = Math.round(percent * 100);
  if (!Number.isFinite(percent) || percent < 0 || percent > 100 || bp / 100 !== percent) {
    throw new RangeError(`percent must be 0–100 with at most two decimals, got ${percent}`);
  }
  return bp;
}

/** True when `percent` is a number 0–100 with at most two decimals. */
export function isValidPercent(percent: number): boolean {
  try {
    toBasisPoints(percent);
    return true;
  } catch {
    return false;
  }
}

/**
 * `percent` % of `amountMinor`, in whole minor units.
 *
 * Rounding: exact integer arithmetic on basis points, then ROUND HALF UP to the minor unit
 * (an exact half, e.g. 50 % of 1 cent, becomes 1; 33.33 % of 1 cent = 0.3333 becomes 0).
 * For the non-negative amounts used here that equals PostgreSQL's numeric round() and the
 * "commercial" rounding buyers expect; as every discount is computed with it, a .5 goes
 * to the buyer. The result never exceeds `amountMinor`.
 *
 * The amount is split into whole 10,000s and a remainder so that no intermediate product can
 * leave the safe-integer range, whatever the (safe) amount.
 */
export function percentOf(amountMinor: number, percent: number): number {
  assertMinor(amountMinor);
  const bp = toBasisPoints(percent);
  const wholes = Math.floor(amountMinor / BASIS_POINTS_PER_WHOLE);
  const rest = amountMinor % BASIS_POINTS_PER_WHOLE;
  return wholes * bp + Math.floor((rest * bp + BASIS_POINTS_PER_WHOLE / 2) / BASIS_POINTS_PER_WHOLE);
}

export function money(amountMinor: number, currency: Currency): Money {
  return { amountMinor: assertMinor(amountMinor), currency };
}
