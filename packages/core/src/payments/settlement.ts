// What the provider's verdict on a PaymentIntent does to our payment, order and participation.
// Runs inside the webhook's transaction; network calls only after commit (docs/ARCHITECTURE.md, invariant 2).
import { sql } from "kysely";
import { afterCommit, type Trx } from "../db/transaction";
import type { ProviderIntent } from "../ports/payment-gateway";
import { failpoint } from "../shared/failpoints";
import { SEAT_HOLDING, transition } from "../ticketing/participations.repository";
import { retakePromoUse } from "../ticketing/promo-codes";
import { takeSeats } from "../ticketing/seats";
import { notifyOrderConfirmed } from "../mail/notify";
import type { PaymentsDeps } from "./deps";
import { ticketOf } from "./orders.repository";
import { audit, canMove, lockPayment, recordCompleted } from "./payments.repository";
import { dispatchTasks } from "./provider-tasks";
import { reserveRefunds } from "./refund-reservations";

/** The reason the expiry job writes; only such holds may be revived by a late payment. */
export const HOLD_EXPIRED_REASON = "Seat hold expired before payment";

type IntentFacts = Pick<ProviderIntent, "id" | "card" | "lastError" | "latestChargeId"> & {
  /** What the provider charged; null when the event does not say (then our own amount stands). */
  amountMinor?: number | null;
  currency?: string | null;
};

async function context(trx: Trx, paymentId: string) {
  const payment = await lockPayment(trx, paymentId);
  if (!payment) return undefined;
  return { payment, ...(await ticketOf(trx, payment.orderId)) };
}

/**
 * payment_intent.succeeded. A live hold becomes a ticket. A hold that already expired re-takes
 * its seats if they are still free; otherwise the money goes back automatically (invariant 4).
 */
export async function settleSucceeded(
  trx: Trx,
  deps: PaymentsDeps,
  paymentId: string,
  intent: IntentFacts,
  eventRef: string,
): Promise<string> {
  const ctx = await context(trx, paymentId);
  if (!ctx) return "ignored: unknown payment";
  const { payment, order, participation } = ctx;
  if (!canMove(payment.status, "completed")) return `stale: payment already ${payment.status}`;
  // A success for another amount or currency than ours settles nothing: an operator reconciles it.
  const amountDiffers = intent.amountMinor != null && intent.amountMinor !== payment.amountMinor;
  const currencyDiffers = intent.currency != null && intent.currency !== payment.currency;
  if (amountDiffers || currencyDiffers) {
    await audit(trx, {
      paymentId: payment.id,
      actionType: "SystemAction",
      description: "The provider reports a success for another amount or currency; left for review",
      oldValues: { amountMinor: payment.amountMinor, currency: payment.currency },
      newValues: { amountMinor: intent.amountMinor ?? null, currency: intent.currency ?? null, event: eventRef },
    });
    return "flagged: amount or currency differs from the payment, left for review";
  }

  let seated = ctx.current && SEAT_HOLDING.includes(participation.status);
  if (!seated && ctx.current && participation.status === "cancelled" && participation.cancellationReason === HOLD_EXPIRED_REASON) {
    seated = await takeSeats(trx, { eventId: order.eventId, ticketTypeId: order.ticketTypeId, quantity: order.quantity });
  }
  await trx
    .updateTable("payments")
    .set({ status: "completed", processedAt: sql`now()`, cardBrand: intent.card?.brand ?? null, cardLast4: intent.card?.last4 ?? null })
    .where("id", "=", payment.id)
    .execute();
  await recordCompleted(trx, {
    paymentId: payment.id,
    type: "payment",
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    providerReference: eventRef,
  });
  await audit(trx, {
    paymentId: payment.id,
    actionType: "PaymentCompleted",
    description: "Payment succeeded at the provider",
    oldValues: { status: payment.status },
    newValues: { status: "completed" },
  });

  if (seated) {
    await transition(trx, participation.id, { from: ["pending", "active", "cancelled"], to: "active" });
    await trx.updateTable("orders").set({ status: "confirmed", holdExpiresAt: null }).where("id", "=", order.id).execute();
    await retakePromoUse(trx, order.id);
    await notifyOrderConfirmed(trx, order.id);
    return participation.status === "cancelled" ? "completed: late payment, seats re-taken" : "completed: participation active";
  }
  const [refund] = await reserveRefunds(trx, [{ paymentId: payment.id }], {
    reason: "Automatic refund: the seats were released before the payment completed",
    requestedBy: null,
  });
  await trx.updateTable("orders").set({ status: "expired" }).where("id", "=", order.id).where("status", "=", "pending").execute();
  await afterCommit(() => failpoint("settle.after-commit"));
  if (refund) await afterCommit(() => dispatchTasks(deps, [refund.taskId], { tryNow: true }));
  return "completed: seats gone, automatic full refund started";
}

/** payment_intent.payment_failed: the hold stays until it expires, so the buyer can retry. */
export async function settleFailed(trx: Trx, paymentId: string, intent: IntentFacts): Promise<string> {
  const payment = await lockPayment(trx, paymentId);
  if (!payment) return "ignored: unknown payment";
  if (!canMove(payment.status, "failed")) return `stale: payment already ${payment.status}`;
  const previous = await trx
    .selectFrom("paymentFailures")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("paymentId", "=", payment.id)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable("payments")
    .set({ status: "failed", processedAt: sql`now()` })
    .where("id", "=", payment.id)
    .execute();
  await trx
    .insertInto("paymentFailures")
    .values({
      paymentId: payment.id,
      failureCode: (intent.lastError?.code ?? "payment_failed").slice(0, 50),
      failureMessage: intent.lastError?.message ?? "The payment failed",
      retryCount: previous.n,
    })
    .execute();
  await audit(trx, {
    paymentId: payment.id,
    actionType: previous.n > 0 ? "PaymentRetried" : "PaymentFailed",
    description: intent.lastError?.message ?? "Payment failed at the provider",
    oldValues: { status: payment.status },
    newValues: { status: "failed", code: intent.lastError?.code ?? null },
  });
  return "failed: failure recorded, hold kept until expiry";
}

/** payment_intent.canceled: we cancel intents ourselves when holds expire or orders are cancelled. */
export async function settleCanceled(trx: Trx, paymentId: string): Promise<string> {
  const payment = await lockPayment(trx, paymentId);
  if (!payment) return "ignored: unknown payment";
  if (!canMove(payment.status, "cancelled")) return `stale: payment already ${payment.status}`;
  await trx
    .updateTable("payments")
    .set({ status: "cancelled", processedAt: sql`now()` })
    .where("id", "=", payment.id)
    .execute();
  await audit(trx, {
    paymentId: payment.id,
    actionType: "StatusChanged",
    description: "PaymentIntent canceled",
    oldValues: { status: payment.status },
    newValues: { status: "cancelled" },
  });
  return "cancelled";
}
