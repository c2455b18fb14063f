// Abandoning an in-flight payment (hold expired, order or event cancelled): cancelled in our
// books inside the caller's transaction, its PaymentIntent cancelled at the provider after commit.
import { sql } from "kysely";
import { afterCommit, type Trx } from "../db/transaction";
import type { PaymentsDeps } from "./deps";
import { audit, canMove, providerIdOf } from "./payments.repository";
import type { Payment } from "./payments.table";

export const cancelIdempotencyKey = (paymentId: string) => `evently-payment-${paymentId}-cancel`;

/**
 * Marks a pending/failed payment cancelled now rather than when the provider confirms, so no
 * payment stays pending forever (payment-health alarms on those). If the buyer pays anyway, the
 * succeeded webhook still completes it (cancelled → completed is forward) and settlement refunds
 * or re-seats it (docs/ARCHITECTURE.md, invariant 4). Returns the intent id to cancel, if any.
 */
export async function abandonPayment(
  trx: Trx,
  deps: Pick<PaymentsDeps, "cipher" | "gateway">,
  payment: Pick<Payment, "id" | "status" | "providerPaymentIdEnc">,
  why: { description: string; actorId?: string | null; cancelAfterCommit?: boolean },
): Promise<string | null> {
  if (!canMove(payment.status, "cancelled")) return null;
  await trx.updateTable("payments").set({ status: "cancelled", processedAt: sql<Date>`now()` }).where("id", "=", payment.id).execute();
  await audit(trx, { paymentId: payment.id, actionType: "SystemAction", description: why.description, userId: why.actorId ?? null, oldValues: { status: payment.status }, newValues: { status: "cancelled" } });
  const intentId = providerIdOf(deps.cipher, payment.providerPaymentIdEnc);
  if (intentId && why.cancelAfterCommit !== false) {
    // A failure here is harmless: an uncancelled intent can only succeed, which settlement handles.
    await afterCommit(() => deps.gateway.cancelIntent(intentId, cancelIdempotencyKey(payment.id)).catch(() => undefined));
  }
  return intentId;
}
