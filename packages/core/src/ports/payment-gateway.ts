// The payment provider as the domain needs it; Stripe implements it (functions/lib/stripe-gateway.ts).
import type { Currency } from "../money";

export type ProviderIntentStatus =
  | "requires_payment_method"
  | "requires_confirmation"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "canceled"
  | "succeeded";

export interface ProviderIntent {
  id: string;
  status: ProviderIntentStatus;
  amountMinor: number;
  currency: Currency;
  clientSecret: string | null;
  /** Our payment id, set in metadata when the intent is created. */
  paymentId: string | null;
  latestChargeId: string | null;
  card: { brand: string | null; last4: string | null } | null;
  lastError: { code: string; message: string } | null;
}

export interface ProviderRefund {
  id: string;
  status: "pending" | "requires_action" | "succeeded" | "failed" | "canceled";
  amountMinor: number;
  paymentIntentId: string | null;
  failureReason: string | null;
}

/**
 * Every call carries our own deterministic idempotency key, so a retry after a crash or an SQS
 * redelivery never creates a second intent or refund (DESIGN: Stripe's automatic keys would not).
 */
export interface PaymentGateway {
  createIntent(input: { paymentId: string; amountMinor: number; currency: Currency; description: string; idempotencyKey: string; receiptEmail?: string | null }): Promise<ProviderIntent>;
  retrieveIntent(id: string): Promise<ProviderIntent>;
  cancelIntent(id: string, idempotencyKey: string): Promise<ProviderIntent>;
  createRefund(input: { paymentIntentId: string; amountMinor: number; refundId: string; reason: string; idempotencyKey: string }): Promise<ProviderRefund>;
}
