// Realistic Stripe deliveries for the webhook stage: payment_intent.succeeded for every payment,
// payment_intent.payment_failed before it for some, 10 % delivered out of order (succeeded before
// the older failure) and 20 % delivered twice — all signed like Stripe signs them.
import Stripe from "stripe";
import { seededRandom, shuffle } from "./stats";

export interface PendingPayment {
  paymentId: string;
  intentId: string;
  amountMinor: number;
}

export interface Delivery {
  eventId: string;
  type: string;
  payload: string;
  /** The payment it is about. */
  paymentId: string;
}

export interface DeliveryPlan {
  deliveries: Delivery[];
  unique: number;
  duplicates: number;
  outOfOrder: number;
  failedThenSucceeded: number;
}

/** How many payments a plan of `total` deliveries needs (80 % unique; 1.5 × the out-of-order share as pairs). */
export function paymentsNeeded(total: number): { payments: number; pairs: number; outOfOrder: number; duplicates: number } {
  const duplicates = Math.round(total * 0.2);
  const outOfOrder = Math.round(total * 0.1);
  const pairs = Math.round(outOfOrder * 1.5);
  return { payments: total - duplicates - pairs, pairs, outOfOrder, duplicates };
}

function intentObject(p: PendingPayment, status: "succeeded" | "requires_payment_method", n: number) {
  const charge = `ch_bench${n.toString(36).padStart(8, "0")}`;
  return {
    id: p.intentId,
    object: "payment_intent",
    amount: p.amountMinor,
    amount_received: status === "succeeded" ? p.amountMinor : 0,
    currency: "usd",
    status,
    metadata: { paymentId: p.paymentId },
    latest_charge: status === "succeeded" ? charge : null,
    payment_method_types: ["card"],
    last_payment_error:
      status === "succeeded"
        ? null
        : { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
    livemode: false,
  };
}

export function planDeliveries(payments: readonly PendingPayment[], total: number, prefix: string, seed = 1): DeliveryPlan {
  const need = paymentsNeeded(total);
  if (payments.length < need.payments) throw new Error(`need ${need.payments} payments, got ${payments.length}`);
  const random = seededRandom(seed);
  const created = Math.floor(Date.now() / 1000) - 120;
  let n = 0;
  const event = (p: PendingPayment, type: "payment_intent.succeeded" | "payment_intent.payment_failed", at: number): Delivery => {
    const id = `evt_${prefix}${(n++).toString(36).padStart(10, "0")}`;
    const payload = JSON.stringify({
      id,
      object: "event",
      api_version: "2024-06-20",
      created: at,
      data: { object: intentObject(p, type === "payment_intent.succeeded" ? "succeeded" : "requires_payment_method", n) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    });
    return { eventId: id, type, payload, paymentId: p.paymentId };
  };
  // One block per payment: [failed, succeeded] (in order or swapped) or [succeeded].
  const blocks: Delivery[][] = payments.slice(0, need.payments).map((p, i) => {
    if (i >= need.pairs) return [event(p, "payment_intent.succeeded", created + 1)];
    const failed = event(p, "payment_intent.payment_failed", created);
    const succeeded = event(p, "payment_intent.succeeded", created + 5);
    return i < need.outOfOrder ? [succeeded, failed] : [failed, succeeded];
  });
  const sequence = shuffle(blocks, random).flat();
  // Redeliveries: a copy of a random event, somewhere after its first delivery.
  for (let d = 0; d < need.duplicates; d++) {
    const at = Math.floor(random() * sequence.length);
    const original = sequence[at]!;
    const later = at + 1 + Math.floor(random() * (sequence.length - at));
    sequence.splice(later, 0, original);
  }
  return {
    deliveries: sequence,
    unique: sequence.length - need.duplicates,
    duplicates: need.duplicates,
    outOfOrder: need.outOfOrder,
    failedThenSucceeded: need.pairs,
  };
}

/** The Stripe-Signature header for a payload, signed now (Stripe's own test helper). */
export const signature = (payload: string, secret: string): string => Stripe.webhooks.generateTestHeaderString({ payload, secret });
