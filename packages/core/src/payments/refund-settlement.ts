// What the provider's verdict on a refund does to our refund, payment, order and participation.
// Runs inside the webhook's transaction; the only network effects are after-commit ones.
import { sql } from "kysely";
import { setAuditContext } from "../db/audit-context";
import type { Trx } from "../db/transaction";
import { SEAT_HOLDING, transition } from "../ticketing/participations.repository";
import { releaseSeats } from "../ticketing/seats";
import { promoteWaitlist } from "../ticketing/waitlist";
import { notifyRefundIssued } from "../mail/notify";
import type { PaymentsDeps } from "./deps";
import { ticketOf } from "./orders.repository";
import type { Payment } from "./payments.table";
import { audit, canMove, lockPayment, recordCompleted } from "./payments.repository";
import { promotionOptions } from "./waitlist-orders";

const FULL_REFUND_REASON = "Payment refunded in full";

/**
 * Locks the refund's payment before touching the refund: requestRefund takes the same lock to
 * compute the refundable rest, so a completion never interleaves with that arithmetic.
 */
async function lockFor(trx: Trx, refundId: string) {
  const owner = await trx.selectFrom("refunds").select("paymentId").where("id", "=", refundId).executeTakeFirst();
  const payment = owner ? await lockPayment(trx, owner.paymentId) : undefined;
  // Read the status only under the lock: whoever changes a refund's status holds this lock too.
  const refund = payment
    ? await trx.selectFrom("refunds").select(["id", "status"]).where("id", "=", refundId).executeTakeFirstOrThrow()
    : undefined;
  return refund && payment ? { refund, payment } : undefined;
}

/**
 * refund succeeded → refund completed, payment.refunded_minor grows (forward-only status), a
 * ledger row; a full refund also ends the ticket and frees its seats. The conditional UPDATE
 * (status = 'processing') makes two different events about one refund apply it once.
 */
export async function completeRefund(trx: Trx, deps: PaymentsDeps, refundId: string, eventRef: string): Promise<string> {
  const ctx = await lockFor(trx, refundId);
  if (!ctx) return "ignored: unknown refund";
  const { payment } = ctx;
  const done = await trx
    .updateTable("refunds")
    .set({ status: "completed", processedAt: sql`now()` })
    .where("id", "=", refundId)
    .where("status", "=", "processing")
    .returning(["amountMinor", "currency"])
    .executeTakeFirst();
  if (!done) return `stale: refund already ${ctx.refund.status}`;

  await notifyRefundIssued(trx, refundId);
  const refunded = payment.refundedMinor + done.amountMinor;
  const full = refunded >= payment.amountMinor;
  const target = full ? "refunded" : "partially_refunded";
  const status = canMove(payment.status, target) ? target : payment.status;
  // refunded_at moves with refunded_minor, so payments_refunded_at_check always holds.
  await trx
    .updateTable("payments")
    .set({ refundedMinor: sql`refunded_minor + ${done.amountMinor}`, refundedAt: sql`now()`, status })
    .where("id", "=", payment.id)
    .execute();
  await recordCompleted(trx, {
    paymentId: payment.id,
    refundId,
    type: "refund",
    amountMinor: done.amountMinor,
    currency: done.currency,
    providerReference: eventRef,
  });
  await audit(trx, {
    paymentId: payment.id,
    actionType: "RefundCompleted",
    description: `Refund of ${done.amountMinor} ${done.currency} completed at the provider`,
    oldValues: { status: payment.status, refundedMinor: payment.refundedMinor },
    newValues: { status, refundedMinor: refunded, refundId },
  });
  if (!full) return `completed: partial refund, ${refunded} of ${payment.amountMinor} refunded`;
  return `completed: payment refunded in full; ${await endTicket(trx, deps, payment)}`;
}

/**
 * The money is all back: the participation becomes refunded and, if it still held seats, they go
 * to the waitlist (invariant 5). Only when this payment's order is the participation's latest:
 * a buyer who re-registered since has a newer order this refund must not end.
 */
async function endTicket(trx: Trx, deps: PaymentsDeps, payment: Payment): Promise<string> {
  const { order, participation, current } = await ticketOf(trx, payment.orderId);
  // An order already expired (seats gone before payment) stays expired: that says more.
  await trx
    .updateTable("orders")
    .set({ status: "cancelled", holdExpiresAt: null })
    .where("id", "=", order.id)
    .where("status", "in", ["pending", "confirmed"])
    .execute();
  if (!current) return "participation has a newer order, left as is";

  const heldSeats = SEAT_HOLDING.includes(participation.status);
  await setAuditContext(trx, { reason: FULL_REFUND_REASON });
  const moved = await transition(trx, participation.id, {
    from: ["active", "pending", "cancelled"],
    to: "refunded",
    reason: FULL_REFUND_REASON,
  });
  if (!moved) return `participation ${participation.status}, left as is`;
  if (!heldSeats) return "participation refunded";
  await releaseSeats(trx, { eventId: order.eventId, ticketTypeId: order.ticketTypeId, quantity: order.quantity });
  const promoted = await promoteWaitlist(trx, order.eventId, promotionOptions(deps));
  return `participation refunded, seats freed, ${promoted.length} promoted from the waitlist`;
}

/**
 * refund failed or canceled → refund failed with the provider's reason; nothing else changes, so
 * the amount is refundable again. A refund that already completed is not undone (statuses never
 * move backwards): the provider reporting it failed later is flagged for an operator instead.
 */
export async function failRefund(trx: Trx, refundId: string, failureReason: string | null, eventRef: string): Promise<string> {
  const ctx = await lockFor(trx, refundId);
  if (!ctx) return "ignored: unknown refund";
  const reason = failureReason ?? "unknown";
  const failed = await trx
    .updateTable("refunds")
    .set({ status: "failed", failureReason: reason })
    .where("id", "=", refundId)
    .where("status", "=", "processing")
    .returning(["amountMinor", "currency"])
    .executeTakeFirst();
  if (!failed) {
    if (ctx.refund.status !== "completed") return `stale: refund already ${ctx.refund.status}`;
    // Stripe reports a late failure twice (refund.updated and refund.failed): flag it once.
    const flagged = await trx
      .updateTable("refunds")
      .set({ metadata: sql`metadata || ${JSON.stringify({ providerReportedFailure: reason })}::jsonb` })
      .where("id", "=", refundId)
      .where(sql<boolean>`metadata->>'providerReportedFailure' IS NULL`)
      .returning("id")
      .executeTakeFirst();
    if (!flagged) return "stale: late failure already flagged";
    await audit(trx, {
      paymentId: ctx.payment.id,
      actionType: "SystemAction",
      description: `The provider reports completed refund ${refundId} as failed (${reason}); review manually`,
      newValues: { refundId, failureReason: reason, event: eventRef },
    });
    return "flagged: completed refund reported failed, left completed for review";
  }
  await audit(trx, {
    paymentId: ctx.payment.id,
    actionType: "RefundFailed",
    description: `Refund of ${failed.amountMinor} ${failed.currency} failed: ${reason}`,
    oldValues: { refundStatus: "processing" },
    newValues: { refundId, refundStatus: "failed", failureReason: reason },
  });
  return `failed: refund failed (${reason}), amount refundable again`;
}
