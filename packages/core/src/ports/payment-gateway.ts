// The payment provider as the domain needs it; Stripe implements it (functions/lib/stripe-gateway.ts).
import { DomainError } from "../errors";
import type { Currency } from "../money";

/**
 * Why a provider call failed, as a stable code: the retryable ones (`timeout`, `connection`,
 * `rate_limited`, `provider_unavailable`) may succeed on a later attempt with the same idempotency
 * key; the others (`invalid_request`, `card_error`, `authentication`, `idempotency_conflict`) never will.
 */
export type ProviderFailure =
  | "timeout"
  | "connection"
  | "rate_limited"
  | "provider_unavailable"
  | "invalid_request"
  | "card_error"
  | "authentication"
  | "idempotency_conflict";

const RETRYABLE: ReadonlySet<ProviderFailure> = new Set(["timeout", "connection", "rate_limited", "provider_unavailable"]);

/**
 * A failed provider call, classified. A client sees 502 `payment_provider_error` and our own
 * generic message; the provider's message stays in `cause`, for logs only.
 */
export class ProviderError extends DomainError {
  readonly retryable: boolean;
  constructor(
    readonly failure: ProviderFailure,
    cause?: unknown,
    /** The provider's HTTP status, when it answered at all. */
    readonly providerStatus?: number,
  ) {
    super("payment_provider_error", "The payment provider could not complete the request; retry later", {}, cause);
    this.retryable = RETRYABLE.has(failure);
  }
}

/** Whether an error from a gateway call is worth another attempt with the same idempotency key. */
export const isRetryableProviderError = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { retryable?: unknown }).retryable === true;

export type ProviderIntentStatus =
  "requires_payment_method" | "requires_confirmation" | "requires_action" | "processing" | "requires_capture" | "canceled" | "succeeded";

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
 * redelivery never creates a second intent or refund (Stripe's automatic keys would not survive an SQS redelivery).
 */
export interface PaymentGateway {
  createIntent(input: {
    paymentId: string;
    amountMinor: number;
    currency: Currency;
    description: string;
    idempotencyKey: string;
    receiptEmail?: string | null;
  }): Promise<ProviderIntent>;
  retrieveIntent(id: string): Promise<ProviderIntent>;
  cancelIntent(id: string, idempotencyKey: string): Promise<ProviderIntent>;
  createRefund(input: {
    paymentIntentId: string;
    amountMinor: number;
    refundId: string;
    reason: string;
    idempotencyKey: string;
  }): Promise<ProviderRefund>;
}
