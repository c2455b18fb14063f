// Reading and cancelling orders: the buyer before the event's cutoff, its organizer or an admin
// at any time; a completed payment is refunded in full, a pending intent is cancelled.
import { sql } from "kysely";
import { isAdmin, type Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import { afterCommit, useTransaction } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { transition } from "../ticketing/participations.repository";
import { releaseSeats } from "../ticketing/seats";
import { promoteWaitlist } from "../ticketing/waitlist";
import type { PaymentsDeps, RequestMeta } from "./deps";
import { attachIntent } from "./intents";
import { abandonPayment } from "./abandon";
import { lockPayment } from "./payments.repository";
import { startRefund, submitRefund } from "./refund-submission";
import { orderResult, type OrderResult } from "./views";
import { promotionOptions } from "./waitlist-orders";
import { orderCancelledEffects } from "../mail/hold-effects";

async function loadOrder(deps: PaymentsDeps, actor: Actor, orderId: string) {
  const row = await deps.db
    .selectFrom("orders as o")
    .innerJoin("events as e", "e.id", "o.eventId")
    .select(["o.id", "o.userId", "o.participationId", "o.eventId", "o.ticketTypeId", "o.quantity", "o.status", "e.organizerId", "e.startsAt", "e.cancellationCutoffHours", "e.title"])
    .where("o.id", "=", orderId)
    .executeTakeFirst();
  const manages = row && (isAdmin(actor) || row.organizerId === actor.userId);
  if (!row || (row.userId !== actor.userId && !manages)) throw notFound("Order");
  return { ...row, manages: Boolean(manages) };
}

export async function getOrder(deps: PaymentsDeps, actor: Actor, orderId: string): Promise<OrderResult> {
  const order = await loadOrder(deps, actor, orderId);
  let clientSecret: string | null | undefined;
  if (order.userId === actor.userId && order.status === "pending") {
    // A promotion from the waitlist may have committed without reaching the provider: finish it.
    const payment = await deps.db.selectFrom("payments").select(["id", "providerPaymentIdHash"]).where("orderId", "=", orderId).where("status", "=", "pending").executeTakeFirst();
    if (payment && !payment.providerPaymentIdHash) clientSecret = (await attachIntent(deps, payment.id, `Tickets: ${order.title}`)).clientSecret;
  }
  return orderResult(deps, orderId, { forUser: actor.userId, clientSecret });
}

export async function cancelOrder(deps: PaymentsDeps, actor: Actor, orderId: string, reason: string | null, meta: RequestMeta = {}): Promise<OrderResult> {
  const order = await loadOrder(deps, actor, orderId);
  if (!order.manages) {
    const deadline = order.startsAt.getTime() - order.cancellationCutoffHours * 3_600_000;
    if (Date.now() >= deadline) throw new DomainError("cancellation_closed", "Cancellation closed at the event's cutoff; contact the organizer");
  }
  const why = reason ?? (order.manages ? "Cancelled by the organizer" : "Cancelled by the buyer");
  await useTransaction(deps.db, async (trx) => {
    await setAuditContext(trx, { actorId: actor.userId, reason: why, ip: meta.ip ?? undefined, userAgent: meta.userAgent ?? undefined });
    const latest = await trx.selectFrom("payments").select("id").where("orderId", "=", orderId).orderBy("createdAt", "desc").limit(1).executeTakeFirst();
    const payment = latest ? await lockPayment(trx, latest.id) : undefined;
    const cancelled = await transition(trx, order.participationId, { from: ["pending", "active"], to: "cancelled", reason: why, actorId: actor.userId });
    if (!cancelled || !["pending", "confirmed"].includes(order.status)) throw new DomainError("invalid_state", "This order is not active");
    await releaseSeats(trx, { eventId: order.eventId, ticketTypeId: order.ticketTypeId, quantity: order.quantity });
    await trx.updateTable("orders").set({ status: "cancelled" }).where("id", "=", orderId).execute();
    await orderCancelledEffects(trx, orderId);
    await promoteWaitlist(trx, order.eventId, promotionOptions(deps));
    if (!payment) return;
    if (payment.status === "completed" || payment.status === "partially_refunded") {
      const inFlight = await trx.selectFrom("refunds").select(sql<number>`coalesce(sum(amount_minor), 0)::bigint`.as("n")).where("paymentId", "=", payment.id).where("status", "=", "processing").executeTakeFirstOrThrow();
      const rest = payment.amountMinor - payment.refundedMinor - inFlight.n;
      if (rest > 0) {
        const refund = await startRefund(trx, { paymentId: payment.id, amountMinor: rest, currency: payment.currency, reason: `Order cancelled: ${why}`.slice(0, 1000), requestedBy: actor.userId, ...meta });
        await afterCommit(() => submitRefund(deps, refund.id));
      }
    } else {
      await abandonPayment(trx, deps, payment, { description: "Order cancelled; cancelling the PaymentIntent", actorId: actor.userId });
    }
  });
  return orderResult(deps, orderId, { forUser: actor.userId });
}
