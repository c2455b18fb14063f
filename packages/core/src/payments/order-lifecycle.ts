// Reading and cancelling orders: the buyer before the event's cutoff, its organizer or an admin
// at any time; a completed payment is refunded in full, a pending intent is cancelled — through
// the one settlement path (cancellation.ts) that event cancellation and hold expiry use too.
import * as z from "zod";
import { canManage, type Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import { afterCommit, useTransaction } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { managedEvent } from "../events/access";
import { parseInput, text } from "../shared/validation";
import { failpoint } from "../shared/failpoints";
import { participationViews, type ParticipationView } from "../ticketing/views";
import { transition } from "../ticketing/participations.repository";
import { latestOrderOf } from "./orders.repository";
import { releaseSeats } from "../ticketing/seats";
import { promoteWaitlist } from "../ticketing/waitlist";
import { settleCancelledTickets } from "./cancellation";
import type { PaymentsDeps, RequestMeta } from "./deps";
import { ensureOrderIntent } from "./intent";
import { orderResult, type OrderResult } from "./views";
import { promotionOptions } from "./waitlist-orders";
import { orderCancelledEffects } from "../mail/hold-effects";

async function loadOrder(deps: PaymentsDeps, actor: Actor, orderId: string) {
  const row = await deps.db
    .selectFrom("orders as o")
    .innerJoin("events as e", "e.id", "o.eventId")
    .select([
      "o.id",
      "o.userId",
      "o.participationId",
      "o.eventId",
      "o.ticketTypeId",
      "o.quantity",
      "o.status",
      "e.organizerId",
      "e.startsAt",
      "e.cancellationCutoffHours",
      "e.title",
    ])
    .where("o.id", "=", orderId)
    .executeTakeFirst();
  const manages = row && canManage(actor, row.organizerId);
  if (!row || (row.userId !== actor.userId && !manages)) throw notFound("Order");
  return { ...row, manages: Boolean(manages) };
}

export async function getOrder(deps: PaymentsDeps, actor: Actor, orderId: string): Promise<OrderResult> {
  const order = await loadOrder(deps, actor, orderId);
  if (order.userId === actor.userId && order.status === "pending") {
    // The buyer is about to pay: an intent whose creation is still a task is finished now. Reading
    // an order never fails for the provider's sake: while another process creates the intent, or
    // when it could not be created, the order is shown as stored, without a client secret.
    await ensureOrderIntent(deps, orderId).catch((error: unknown) => {
      if (!(error instanceof DomainError)) throw error;
    });
  }
  return orderResult(deps, orderId, { forUser: actor.userId });
}

export interface CancelTicket {
  participationId: string;
  reason: string;
  /** For the refund row (10–1,000 characters). */
  refundReason: string;
  /** Refund a captured payment in full (the default); an organizer may say no. */
  refund: boolean;
  actorId: string;
  meta?: RequestMeta;
}

/**
 * Cancels one participation (ticket or RSVP, held, active or waitlisted) in one transaction:
 * the history row says who and why, seats go back and the waitlist moves up, and the money is
 * settled. The payment rows are locked first, in the order the webhook's settlement takes them.
 */
async function cancelParticipation(deps: PaymentsDeps, c: CancelTicket): Promise<void> {
  await useTransaction(deps.db, async (trx) => {
    await setAuditContext(trx, {
      actorId: c.actorId,
      reason: c.reason,
      ip: c.meta?.ip ?? undefined,
      userAgent: c.meta?.userAgent ?? undefined,
    });
    await trx
      .selectFrom("payments as pay")
      .innerJoin("orders as o", "o.id", "pay.orderId")
      .select("pay.id")
      .where("o.participationId", "=", c.participationId)
      .where("o.status", "in", ["pending", "confirmed"])
      .forUpdate("pay")
      .execute();
    const before = await trx
      .selectFrom("participations")
      .select("status")
      .where("id", "=", c.participationId)
      .forUpdate()
      .executeTakeFirst();
    const cancelled = await transition(trx, c.participationId, {
      from: ["pending", "active", "waitlisted"],
      to: "cancelled",
      reason: c.reason,
      actorId: c.actorId,
    });
    if (!before || !cancelled) throw new DomainError("invalid_state", "This ticket is not active, held or waitlisted");
    const heldSeats = before.status !== "waitlisted";
    if (heldSeats) {
      await releaseSeats(trx, { eventId: cancelled.eventId, ticketTypeId: cancelled.ticketTypeId, quantity: cancelled.quantity });
    }
    await afterCommit(() => failpoint("cancel.after-commit"));
    const settled = await settleCancelledTickets(trx, deps, [cancelled.id], {
      orderStatus: "cancelled",
      refund: c.refund,
      reason: c.refundReason,
      actorId: c.actorId,
      ip: c.meta?.ip,
      userAgent: c.meta?.userAgent,
    });
    // Only an order this cancellation ended (a participation has one live order at most); a
    // waitlisted buyer's earlier, long-ended order is not news.
    const order = settled.ordersEnded > 0 ? await latestOrderOf(trx, cancelled.id) : undefined;
    if (order) await orderCancelledEffects(trx, order.id);
    if (heldSeats) await promoteWaitlist(trx, cancelled.eventId, promotionOptions(deps));
  });
}

/** Why the order is cancelled, when the caller says; the history and the refund record it. */
export const CancelOrderInput = z.strictObject({ reason: text(1, 1000).optional() });

export async function cancelOrder(
  deps: PaymentsDeps,
  actor: Actor,
  orderId: string,
  input: z.input<typeof CancelOrderInput> = {},
  meta: RequestMeta = {},
): Promise<OrderResult> {
  const { reason } = parseInput(CancelOrderInput, input);
  const order = await loadOrder(deps, actor, orderId);
  if (!order.manages) {
    const deadline = order.startsAt.getTime() - order.cancellationCutoffHours * 3_600_000;
    if (Date.now() >= deadline)
      throw new DomainError("cancellation_closed", "Cancellation closed at the event's cutoff; contact the organizer");
  }
  if (!["pending", "confirmed"].includes(order.status)) throw new DomainError("invalid_state", "This order is not active");
  const why = reason ?? (order.manages ? "Cancelled by the organizer" : "Cancelled by the buyer");
  await cancelParticipation(deps, {
    participationId: order.participationId,
    reason: why,
    refundReason: `Order cancelled: ${why}`,
    refund: true,
    actorId: actor.userId,
    meta,
  });
  return orderResult(deps, orderId, { forUser: actor.userId });
}

export const CancelParticipantInput = z.strictObject({ reason: text(10, 1000), refund: z.boolean().default(true) });

/**
 * POST /events/{eventId}/participants/{participationId}/cancel — the organizer's attendee desk:
 * cancel one participant, refunding a completed payment in full unless `refund` is false.
 */
export async function cancelParticipant(
  deps: PaymentsDeps,
  actor: Actor,
  eventId: string,
  participationId: string,
  input: z.input<typeof CancelParticipantInput>,
  meta: RequestMeta = {},
): Promise<ParticipationView> {
  const { reason, refund } = parseInput(CancelParticipantInput, input);
  await managedEvent(deps.db, actor, eventId);
  const found = await deps.db
    .selectFrom("participations")
    .select("id")
    .where("id", "=", participationId)
    .where("eventId", "=", eventId)
    .executeTakeFirst();
  if (!found) throw notFound("Participant");
  await cancelParticipation(deps, {
    participationId,
    reason,
    refundReason: `Cancelled by the organizer: ${reason}`,
    refund,
    actorId: actor.userId,
    meta,
  });
  const [view] = await participationViews(deps.db, [participationId]);
  if (!view) throw notFound("Participant");
  return view;
}
