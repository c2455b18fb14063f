// PaymentGateway over Stripe PaymentIntents and Refunds, always with our own idempotency keys, each
// call within the invocation's budget and its failures classified as ProviderError.
import type Stripe from "stripe";
import type { Currency } from "@evently/core/money";
import type { PaymentGateway, ProviderIntent, ProviderIntentStatus, ProviderRefund } from "@evently/core/ports/payment-gateway";
import { getStripe } from "./stripe";
import { budgetedStripeCall } from "./stripe-budget";

function toIntent(pi: Stripe.PaymentIntent): ProviderIntent {
  const charge = typeof pi.latest_charge === "object" && pi.latest_charge ? pi.latest_charge : null;
  const card = charge?.payment_method_details?.card;
  return {
    id: pi.id,
    status: pi.status as ProviderIntentStatus,
    amountMinor: pi.amount,
    currency: pi.currency.toUpperCase() as Currency,
    clientSecret: pi.client_secret,
    paymentId: pi.metadata?.paymentId ?? null,
    latestChargeId: typeof pi.latest_charge === "string" ? pi.latest_charge : (charge?.id ?? null),
    card: card ? { brand: card.brand ?? null, last4: card.last4 ?? null } : null,
    lastError: pi.last_payment_error
      ? {
          code: pi.last_payment_error.code ?? pi.last_payment_error.decline_code ?? "payment_failed",
          message: pi.last_payment_error.message ?? "The payment failed",
        }
      : null,
  };
}

function toRefund(r: Stripe.Refund): ProviderRefund {
  return {
    id: r.id,
    status: (r.status ?? "pending") as ProviderRefund["status"],
    amountMinor: r.amount,
    paymentIntentId: typeof r.payment_intent === "string" ? r.payment_intent : (r.payment_intent?.id ?? null),
    failureReason: r.failure_reason ?? null,
  };
}

export const stripeGateway: PaymentGateway = {
  async createIntent({ paymentId, amountMinor, currency, description, idempotencyKey, receiptEmail }) {
    const stripe = await getStripe();
    const pi = await budgetedStripeCall("creating the payment", (budget) =>
      stripe.paymentIntents.create(
        {
          amount: amountMinor,
          currency: currency.toLowerCase(),
          description,
          metadata: { paymentId },
          automatic_payment_methods: { enabled: true },
          ...(receiptEmail ? { receipt_email: receiptEmail } : {}),
        },
        { idempotencyKey, ...budget },
      ),
    );
    return toIntent(pi);
  },
  async retrieveIntent(id) {
    const stripe = await getStripe();
    return toIntent(await budgetedStripeCall("reading the payment", (budget) => stripe.paymentIntents.retrieve(id, {}, budget)));
  },
  async cancelIntent(id, idempotencyKey) {
    const stripe = await getStripe();
    return toIntent(
      await budgetedStripeCall("cancelling the payment", (budget) => stripe.paymentIntents.cancel(id, {}, { idempotencyKey, ...budget })),
    );
  },
  async createRefund({ paymentIntentId, amountMinor, refundId, idempotencyKey }) {
    const stripe = await getStripe();
    const refund = await budgetedStripeCall("sending the refund", (budget) =>
      stripe.refunds.create(
        { payment_intent: paymentIntentId, amount: amountMinor, metadata: { refundId } },
        { idempotencyKey, ...budget },
      ),
    );
    return toRefund(refund);
  },
};
