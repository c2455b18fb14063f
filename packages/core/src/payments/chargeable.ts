// Totals the payment provider can charge: Stripe's per-currency minimum and its maximum amount.
import { DomainError } from "../errors";
import type { Currency } from "../money";

/** Stripe's minimum charge per currency, in minor units (USD/EUR/CAD 0.50, GBP 0.30). */
const MINIMUM: Record<Currency, number> = { USD: 50, EUR: 50, GBP: 30, CAD: 50 };
/** Stripe's largest amount for these currencies: 999,999.99. */
const MAXIMUM = 99_999_999;

/** Zero is fine (nothing is charged); anything else must be chargeable before a seat is held. */
export function assertChargeable(amountMinor: number, currency: Currency): void {
  if (amountMinor === 0) return;
  if (amountMinor < MINIMUM[currency] || amountMinor > MAXIMUM) {
    throw new DomainError(
      "amount_not_chargeable",
      `A total of ${amountMinor} ${currency} minor units cannot be charged: it must be 0 or between ${MINIMUM[currency]} and ${MAXIMUM}`,
    );
  }
}
