// Stripe's test PaymentMethod tokens (pm_card_visa, pm_card_chargeDeclined, ...) and what confirming with each does.
import { invalidRequest, resourceMissing } from "./errors";
import { type CardDetails, type PaymentMethod } from "./objects";
import { newId, nowUnix, type SandboxState } from "./state";

export interface TestCard {
  card: CardDetails;
  decline?: { code: string; decline_code: string; message: string };
}

function card(brand: string, last4: string, funding: "credit" | "debit" = "credit"): CardDetails {
  return { brand, last4, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, funding, country: "US" };
}

function declined(last4: string, code: string, declineCode: string, message: string): TestCard {
  return { card: card("visa", last4), decline: { code, decline_code: declineCode, message } };
}

export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { card: card("visa", "4242") },
  pm_card_visa_debit: { card: card("visa", "5556", "debit") },
  pm_card_mastercard: { card: card("mastercard", "4444") },
  pm_card_amex: { card: card("amex", "8431") },
  pm_card_chargeDeclined: declined("0002", "card_declined", "generic_decline", "Your card was declined."),
  pm_card_chargeDeclinedInsufficientFunds: declined("9995", "card_declined", "insufficient_funds", "Your card has insufficient funds."),
  pm_card_chargeDeclinedExpiredCard: declined("0069", "expired_card", "expired_card", "Your card has expired."),
  pm_card_chargeDeclinedIncorrectCvc: declined("0127", "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
  pm_card_chargeDeclinedProcessingError: declined(
    "0119",
    "processing_error",
    "processing_error",
    "An error occurred while processing your card. Try again in a little bit.",
  ),
};

// Like Stripe, a test token mints a fresh pm_ object; an existing pm_ id is reused as is.
export function resolvePaymentMethod(state: SandboxState, ref: string): { method: PaymentMethod; test: TestCard } {
  const existing = state.paymentMethods.get(ref);
  const existingCard = state.cards.get(ref);
  if (existing && existingCard) return { method: existing, test: existingCard };
  const test = TEST_CARDS[ref];
  if (!test) {
    if (ref.startsWith("pm_")) throw resourceMissing(ref, "payment_method", 400);
    throw invalidRequest(`Invalid payment_method: ${ref}`, { param: "payment_method" });
  }
  const method: PaymentMethod = {
    id: newId("pm"),
    object: "payment_method",
    type: "card",
    card: { ...test.card },
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    created: nowUnix(),
    customer: null,
    livemode: false,
    metadata: {},
  };
  state.paymentMethods.set(method.id, method);
  state.cards.set(method.id, test);
  return { method, test };
}
