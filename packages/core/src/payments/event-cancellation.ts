// What an event's cancellation does to each ticket's money: a captured payment is refunded in
// full, a payment still in flight has its PaymentIntent cancelled — both after commit.
import type { Trx } from "../db/transaction";

import type { CancelEventHooks } from "../events";
import type { Participation } from "../ticketing/ticketing.table";
import type { PaymentsDeps } from "./deps";
import { abandonPayment } from "./abandon";
import { lockPayment } from "./payments.repository";
import { startRefund } from "./refund-submission";
import { refundableRest, submitAfterCommit } from "./refunds";

const MAX_REASON = 1000;

async function settleParticipation(trx: Trx, deps: PaymentsDeps, participation: Participation): Promise<void> {
  if (participation.kind !== "ticket") return;
  const order = await trx
    .selectFrom("orders")
    .select(["id", "status"])
    .where("participationId", "=", participation.id)
    .orderBy("createdAt", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!order) return; // waitlisted without ever having ordered
  await trx.updateTable("orders").set({ status: "cancelled" }).where("id", "=", order.id).where("status", "in", ["pending", "confirmed"]).execute();
  const latest = await trx.selectFrom("payments").select("id").where("orderId", "=", order.id).orderBy("createdAt", "desc").limit(1).executeTakeFirst();
  const payment = latest ? await lockPayment(trx, latest.id) : undefined;
  if (!payment) return;
  // cancelEvent wrote who cancelled into updated_by and why into cancellation_reason.
  const actorId = participation.updatedBy ?? null;
  const why = participation.cancellationReason ?? "cancelled by the organizer";

  if (payment.status === "completed" || payment.status === "partially_refunded") {
    const rest = await refundableRest(trx, payment);
    if (rest <= 0) return;
    const refund = await startRefund(trx, { paymentId: payment.id, amountMinor: rest, currency: payment.currency, reason: `Event cancelled: ${why}`.slice(0, MAX_REASON), requestedBy: actorId });
    await submitAfterCommit(deps, refund.id);
  } else {
    await abandonPayment(trx, deps, payment, { description: "Event cancelled; cancelling the PaymentIntent", actorId });
  }
}

/**
 * The hooks the events domain's cancelEvent runs for every participation it cancels, inside its
 * transaction. The handler passes them: `cancelEvent(db, actor, id, reason, eventCancellationHooks(deps))`.
 */
export function eventCancellationHooks(deps: PaymentsDeps): Required<CancelEventHooks> {
  return { onParticipationCancelled: (trx, participation) => settleParticipation(trx, deps, participation) };
}
