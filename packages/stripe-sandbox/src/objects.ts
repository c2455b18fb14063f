// Shapes of the Stripe objects the sandbox serves, cut from the `stripe` package's own types.
import type Stripe from "stripe";

/**
 * The fields of a Stripe object that the sandbox models, typed by the SDK. Fields the product never
 * reads (Connect, Radar, presentment, shipping, ...) are left out rather than filled with invented
 * values, hence `Pick`. Expandable references (`Refs`) are stored as ids, which is what the API
 * returns unless a request asks to expand them.
 */
type Modelled<T, K extends keyof T, Refs extends K = never> = Pick<T, Exclude<K, Refs>> & {
  [P in Refs]: Extract<T[P], string | null>;
};

/**
 * Card details carry a dozen fields about checks, wallets and networks that nothing here reads;
 * the sandbox fills the ones a receipt or a payment record needs.
 */
export type CardDetails = Pick<Stripe.PaymentMethod.Card, "brand" | "last4" | "exp_month" | "exp_year" | "funding" | "country">;

export type PaymentMethod = Modelled<
  Stripe.PaymentMethod,
  "id" | "object" | "type" | "billing_details" | "created" | "customer" | "livemode" | "metadata",
  "customer"
> & { card: CardDetails };

/** The SDK's error shape, with the sandbox's PaymentMethod (see CardDetails for what it leaves out). */
export type PaymentError = Omit<Stripe.PaymentIntent.LastPaymentError, "payment_method"> & { payment_method: PaymentMethod };

export type PaymentIntentStatus = Stripe.PaymentIntent.Status;

export type PaymentIntent = Modelled<
  Stripe.PaymentIntent,
  | "id"
  | "object"
  | "amount"
  | "amount_capturable"
  | "amount_received"
  | "automatic_payment_methods"
  | "canceled_at"
  | "cancellation_reason"
  | "capture_method"
  | "client_secret"
  | "confirmation_method"
  | "created"
  | "currency"
  | "customer"
  | "description"
  | "latest_charge"
  | "livemode"
  | "metadata"
  | "next_action"
  | "payment_method"
  | "payment_method_types"
  | "receipt_email"
  | "status",
  "customer" | "latest_charge" | "payment_method"
> & { client_secret: string; last_payment_error: PaymentError | null };

export type Charge = Modelled<
  Stripe.Charge,
  | "id"
  | "object"
  | "amount"
  | "amount_captured"
  | "amount_refunded"
  | "captured"
  | "created"
  | "currency"
  | "description"
  | "disputed"
  | "failure_code"
  | "failure_message"
  | "livemode"
  | "metadata"
  | "outcome"
  | "paid"
  | "payment_intent"
  | "payment_method"
  | "refunded"
  | "status",
  "payment_intent"
> & {
  // Every sandbox charge belongs to a PaymentIntent and was paid by card.
  payment_intent: string;
  payment_method: string;
  payment_method_details: { type: "card"; card: CardDetails };
};

export type RefundStatus = "pending" | "succeeded" | "failed" | "canceled";

export type Refund = Modelled<
  Stripe.Refund,
  | "id"
  | "object"
  | "amount"
  | "balance_transaction"
  | "charge"
  | "created"
  | "currency"
  | "failure_reason"
  | "metadata"
  | "payment_intent"
  | "reason"
  | "status",
  "balance_transaction" | "charge" | "payment_intent"
> & {
  // Refunds here are always of a PaymentIntent's charge, and in one of Stripe's documented states;
  // failure_reason is absent until a refund fails, as on Stripe.
  charge: string;
  payment_intent: string;
  status: RefundStatus;
};

export type Dispute = Modelled<
  Stripe.Dispute,
  | "id"
  | "object"
  | "amount"
  | "charge"
  | "created"
  | "currency"
  | "is_charge_refundable"
  | "livemode"
  | "metadata"
  | "payment_intent"
  | "reason"
  | "status",
  "charge" | "payment_intent"
> & {
  // The parts of the evidence timeline a dispute handler looks at.
  evidence_details: Pick<Stripe.Dispute.EvidenceDetails, "due_by" | "has_evidence" | "past_due" | "submission_count">;
};

export type EventType = Stripe.Event.Type;

/** An event carries a snapshot of any of the objects above, so its data is kept as plain JSON. */
export type StripeEvent = Pick<Stripe.Event, "id" | "object" | "api_version" | "created" | "livemode" | "pending_webhooks"> & {
  type: EventType;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  request: { id: string | null; idempotency_key: string | null };
};

export type StripeObject = PaymentIntent | Charge | Refund | PaymentMethod | Dispute | StripeEvent;
