// One function per cause that mails someone, each called inside the transaction of that cause.
// Each names its cause in the dedupe key, so re-running a cause never writes a second message.
// RSVP mail is written inside the database by place_rsvp()/cancel_rsvp() (migration 0014's
// enqueue_participation_mail), with the payload `write` builds here.
import { sql } from "kysely";
import type { Trx } from "../db/transaction";
import { latestOrderOf } from "../payments/orders.repository";
import { enqueueForParticipants } from "./bulk";
import { orderFacts, participationContext, type MailContext } from "./context";
import { causeId, enqueueMail } from "./outbox";
import type { MailKind } from "./outbox.table";
import { ticketsForMail } from "./tickets";

type Extra = Record<string, unknown>;

const write = (
  trx: Trx,
  kind: MailKind,
  ctx: MailContext,
  dedupeKey: string,
  extra: Extra = {},
  refs: { orderId?: string; refundId?: string } = {},
) =>
  enqueueMail(trx, {
    kind,
    to: ctx.to,
    userId: ctx.userId,
    dedupeKey,
    payload: { event: ctx.event, participation: ctx.participation, ...extra },
    refs: { eventId: ctx.event.id, participationId: ctx.participation.id, ...refs },
  });

/** A request joined the waitlist. One per joining transaction. */
export async function notifyWaitlistJoined(trx: Trx, participationId: string): Promise<void> {
  const ctx = await participationContext(trx, participationId);
  if (ctx) await write(trx, "waitlist_joined", ctx, `waitlist_joined:${participationId}:${await causeId(trx)}`);
}

/**
 * A waitlisted request got its seats: an RSVP is active, a ticket request holds seats until the
 * hold expires and must pay by then (the order's total and whether its promo code still applied).
 */
export async function notifyWaitlistPromoted(trx: Trx, participationId: string, orderId: string | null, note: Extra = {}): Promise<void> {
  const ctx = await participationContext(trx, participationId);
  if (!ctx) return;
  const order = orderId ? await orderFacts(trx, orderId) : undefined;
  await write(
    trx,
    "waitlist_promoted",
    ctx,
    `waitlist_promoted:${participationId}:${orderId ?? (await causeId(trx))}`,
    { order: order ?? null, ...note },
    orderId ? { orderId } : {},
  );
}

/** An order became a ticket (paid, or free): the receipt with its tickets. */
export async function notifyOrderConfirmed(trx: Trx, orderId: string): Promise<void> {
  const order = await orderFacts(trx, orderId);
  const ctx = order && (await participationContext(trx, order.participationId));
  if (!order || !ctx) return;
  const tickets = await ticketsForMail(trx, order.participationId);
  await write(trx, "order_confirmed", ctx, `order_confirmed:${orderId}`, { order, tickets }, { orderId });
}

/** A seat hold ran out before payment: the order is void, the seats are gone. */
export async function notifyHoldExpired(trx: Trx, participationId: string): Promise<void> {
  const latest = await latestOrderOf(trx, participationId);
  const ctx = await participationContext(trx, participationId);
  if (!ctx) return;
  const order = latest ? await orderFacts(trx, latest.id) : undefined;
  const key = `hold_expired:${latest?.id ?? `${participationId}:${ctx.participation.holdExpiresAt ?? ""}`}`;
  await write(trx, "hold_expired", ctx, key, { order: order ?? null }, latest ? { orderId: latest.id } : {});
}

/** An order was cancelled (by the buyer or the organizer); a refund, if any, follows by mail. */
export async function notifyOrderCancelled(trx: Trx, orderId: string): Promise<void> {
  const order = await orderFacts(trx, orderId);
  const ctx = order && (await participationContext(trx, order.participationId));
  if (order && ctx) await write(trx, "order_cancelled", ctx, `order_cancelled:${orderId}`, { order }, { orderId });
}

/** A refund completed at the provider. */
export async function notifyRefundIssued(trx: Trx, refundId: string): Promise<void> {
  const refund = await trx
    .selectFrom("refunds as r")
    .innerJoin("payments as p", "p.id", "r.paymentId")
    .innerJoin("orders as o", "o.id", "p.orderId")
    .select(["r.id", "r.amountMinor", "r.currency", "r.reason", "o.id as orderId", "o.participationId"])
    .where("r.id", "=", refundId)
    .executeTakeFirst();
  const ctx = refund && (await participationContext(trx, refund.participationId));
  if (refund && ctx) {
    await write(
      trx,
      "refund_issued",
      ctx,
      `refund_issued:${refundId}`,
      { refund: { id: refund.id, amountMinor: refund.amountMinor, currency: refund.currency, reason: refund.reason } },
      { orderId: refund.orderId, refundId },
    );
  }
}

/** The organizer cancelled the event: everyone whose place it cancelled, in one statement. An event cancels once. */
export async function notifyEventCancelled(trx: Trx, participationIds: readonly string[], reason: string | null): Promise<void> {
  if (participationIds.length === 0) return;
  await enqueueForParticipants(trx, {
    kind: "event_cancelled",
    where: sql<boolean>`p.id = ANY(${[...participationIds]}::uuid[])`,
    causeSuffix: sql`'cancelled'`,
    extra: sql`jsonb_build_object('reason', ${reason}::text)`,
  });
}
