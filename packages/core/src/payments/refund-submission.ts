// Refund rows are written inside a transaction; the provider call happens after commit with an
// idempotency key derived from our refund id, so resubmitting is always safe.
import type { Trx } from "../db/transaction";
import type { Currency } from "../money";
import type { PaymentsDeps } from "./deps";
import { audit, providerIdOf } from "./payments.repository";

export const refundIdempotencyKey = (refundId: string) => `evently-refund-${refundId}`;

export interface NewRefund {
  paymentId: string;
  amountMinor: number;
  currency: Currency;
  reason: string;
  /** Null when the system refunds on its own. */
  requestedBy: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export async function startRefund(trx: Trx, r: NewRefund): Promise<{ id: string }> {
  const refund = await trx
    .insertInto("refunds")
    .values({ paymentId: r.paymentId, amountMinor: r.amountMinor, currency: r.currency, reason: r.reason, requestedBy: r.requestedBy })
    .returning("id")
    .executeTakeFirstOrThrow();
  await audit(trx, {
    paymentId: r.paymentId,
    actionType: "RefundInitiated",
    description: r.reason,
    userId: r.requestedBy,
    newValues: { refundId: refund.id, amountMinor: r.amountMinor },
    ip: r.ip ?? null,
    userAgent: r.userAgent ?? null,
  });
  return refund;
}

/**
 * Sends a processing refund to the provider and stores its id. Completion arrives by webhook.
 * Called after commit, and again by the payment-health sweep for refunds a crash left unsent.
 */
export async function submitRefund(deps: PaymentsDeps, refundId: string): Promise<void> {
  const row = await deps.db
    .selectFrom("refunds as r")
    .innerJoin("payments as p", "p.id", "r.paymentId")
    .select(["r.id", "r.amountMinor", "r.reason", "r.status", "r.providerRefundIdHash", "p.providerPaymentIdEnc"])
    .where("r.id", "=", refundId)
    .executeTakeFirstOrThrow();
  if (row.status !== "processing" || row.providerRefundIdHash) return;
  const paymentIntentId = providerIdOf(deps.cipher, row.providerPaymentIdEnc);
  if (!paymentIntentId) throw new Error(`refund ${refundId}: payment has no provider intent`);
  const refund = await deps.gateway.createRefund({
    paymentIntentId,
    amountMinor: row.amountMinor,
    refundId,
    reason: row.reason,
    idempotencyKey: refundIdempotencyKey(refundId),
  });
  await deps.db
    .updateTable("refunds")
    .set({ providerRefundIdEnc: deps.cipher.encrypt(refund.id), providerRefundIdHash: deps.cipher.blindIndex(refund.id) })
    .where("id", "=", refundId)
    .where("providerRefundIdHash", "is", null)
    .execute();
}

/** Refunds still unsent (a crash between commit and the provider call) for one payment. */
export async function resubmitPendingRefunds(deps: PaymentsDeps, paymentId: string): Promise<void> {
  const pending = await deps.db
    .selectFrom("refunds")
    .select("id")
    .where("paymentId", "=", paymentId)
    .where("status", "=", "processing")
    .where("providerRefundIdHash", "is", null)
    .execute();
  for (const r of pending) await submitRefund(deps, r.id);
}
