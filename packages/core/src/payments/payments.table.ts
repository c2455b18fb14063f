// Kysely table types for orders, payments, refunds, the payment ledger, failures and audit log.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";
import type { Currency } from "../money";

type JsonObject = Record<string, unknown>;
type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;

export type OrderStatus = "pending" | "confirmed" | "cancelled" | "expired";
export type PaymentProvider = "stripe";
export type PaymentStatus = "pending" | "completed" | "failed" | "cancelled" | "refunded" | "partially_refunded";
export type RefundStatus = "processing" | "completed" | "failed";
export type PaymentTransactionType = "payment" | "refund" | "chargeback";
export type PaymentTransactionStatus = "pending" | "completed" | "failed" | "cancelled";
/** Seed 001's action types, verbatim. */
export type PaymentAuditAction =
  | "PaymentInitiated"
  | "PaymentProcessed"
  | "PaymentCompleted"
  | "PaymentFailed"
  | "PaymentRetried"
  | "RefundInitiated"
  | "RefundCompleted"
  | "RefundFailed"
  | "StatusChanged"
  | "MetadataUpdated"
  | "SystemAction";

/** Money columns are bigint minor units and percents numeric(5,2); the db client reads both as numbers. */
export interface OrdersTable {
  id: Generated<string>;
  participationId: string;
  eventId: string;
  userId: string;
  ticketTypeId: string;
  quantity: number;
  unitPriceMinor: number;
  earlyBirdApplied: Generated<boolean>;
  groupDiscountMinor: Generated<number>;
  promoCodeId: string | null;
  promoDiscountMinor: Generated<number>;
  slidingScalePercent: Generated<number>;
  slidingScaleDiscountMinor: Generated<number>;
  subtotalMinor: number;
  /** The total charged. */
  amountMinor: number;
  currency: Currency;
  status: Generated<OrderStatus>;
  holdExpiresAt: Date | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface PaymentsTable {
  id: Generated<string>;
  orderId: string;
  userId: string;
  provider: Generated<PaymentProvider>;
  status: Generated<PaymentStatus>;
  amountMinor: number;
  currency: Currency;
  /** ≤ amountMinor; non-zero exactly when refundedAt is set (payments_refunded_at_check). */
  refundedMinor: Generated<number>;
  slidingScalePercent: Generated<number>;
  /** AES-256-GCM ciphertext with a key-version prefix; never the plain provider id. */
  providerPaymentIdEnc: string | null;
  /** HMAC blind index of the provider id, for lookups; unique when set. */
  providerPaymentIdHash: string | null;
  providerCustomerIdEnc: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  processedAt: Date | null;
  refundedAt: Date | null;
  metadata: Generated<JsonObject>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface RefundsTable {
  id: Generated<string>;
  paymentId: string;
  amountMinor: number;
  currency: Currency;
  /** 10–1000 characters once trimmed (refunds_reason_check). */
  reason: string;
  status: Generated<RefundStatus>;
  providerRefundIdEnc: string | null;
  providerRefundIdHash: string | null;
  /** Null when the system refunds on its own (late payment for seats already gone). */
  requestedBy: string | null;
  processedAt: Date | null;
  failureReason: string | null;
  metadata: Generated<JsonObject>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface PaymentTransactionsTable {
  id: Generated<string>;
  paymentId: string;
  refundId: string | null;
  type: PaymentTransactionType;
  amountMinor: number;
  currency: Currency;
  status: PaymentTransactionStatus;
  /** Non-secret provider reference, e.g. the webhook event id. */
  providerReference: string | null;
  providerResponse: Generated<JsonObject>;
  processedAt: Date | null;
  // Insertable so the archive job can move rows with their original time.
  createdAt: ColumnType<Date, Date | undefined, never>;
}

/** Same columns as the ledger, no foreign keys. */
export type PaymentTransactionsArchiveTable = PaymentTransactionsTable;

export interface PaymentFailuresTable {
  id: Generated<string>;
  paymentId: string;
  /** At most 50 characters. */
  failureCode: string;
  failureMessage: string;
  encryptedErrorDetails: string | null;
  retryCount: Generated<number>;
  failedAt: Generated<Date>;
  createdAt: CreatedAt;
}

export interface PaymentAuditLogTable {
  id: Generated<string>;
  paymentId: string;
  /** Null for system actions (webhooks, jobs). */
  userId: string | null;
  actionType: PaymentAuditAction;
  actionDescription: string;
  oldValues: JsonObject | null;
  newValues: JsonObject | null;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: CreatedAt;
}

export type ProviderTaskKind = "create_intent" | "cancel_intent" | "refund";
export type ProviderTaskStatus = "pending" | "succeeded" | "failed";

/** A call to the payment provider recorded in the transaction it follows (provider-tasks.ts). */
export interface ProviderTasksTable {
  id: Generated<string>;
  kind: ProviderTaskKind;
  paymentId: string;
  /** Set exactly for refund tasks. */
  refundId: string | null;
  status: Generated<ProviderTaskStatus>;
  attempts: Generated<number>;
  nextAttemptAt: Generated<Date>;
  /** A worker's lease; the task is free again once it passes. */
  lockedUntil: Date | null;
  lastError: string | null;
  /** What the last attempt decided, for the operator (e.g. "skipped: payment cancelled"). */
  outcome: string | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  completedAt: Date | null;
}

export type ProviderTask = Selectable<ProviderTasksTable>;

export type Order = Selectable<OrdersTable>;
export type NewOrder = Insertable<OrdersTable>;
export type OrderUpdate = Updateable<OrdersTable>;

export type Payment = Selectable<PaymentsTable>;
export type NewPayment = Insertable<PaymentsTable>;
export type PaymentUpdate = Updateable<PaymentsTable>;

export type Refund = Selectable<RefundsTable>;
export type NewRefund = Insertable<RefundsTable>;
export type RefundUpdate = Updateable<RefundsTable>;

export type PaymentTransaction = Selectable<PaymentTransactionsTable>;
export type NewPaymentTransaction = Insertable<PaymentTransactionsTable>;
export type PaymentTransactionUpdate = Updateable<PaymentTransactionsTable>;

export type PaymentFailure = Selectable<PaymentFailuresTable>;
export type NewPaymentFailure = Insertable<PaymentFailuresTable>;

export type PaymentAuditEntry = Selectable<PaymentAuditLogTable>;
export type NewPaymentAuditEntry = Insertable<PaymentAuditLogTable>;
