// Placing an order: price it, hold the seats and write order + payment in one short transaction,
// then create the PaymentIntent outside it (DESIGN invariants 1 and 2).
import type { Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import { useTransaction } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import type { Currency } from "../money";
import { priceOrder, type PriceBreakdown } from "../ticketing/pricing";
import { toPricedTicketType } from "../ticketing/ticket-types";
import { assertOnSale, assertPromoUsable, assertQuantityAllowed, invalidPromoCode, normalizePromoCode } from "../ticketing/sales-rules";
import { notifyOrderConfirmed } from "../mail/notify";
import { joinTicketWaitlist } from "./waitlist-orders";
import { takeSeats } from "../ticketing/seats";
import type { PaymentsDeps, RequestMeta } from "./deps";
import { attachIntent } from "./intents";
import * as repo from "./orders.repository";
import { orderResult, type OrderResult } from "./views";

export interface OrderInput {
  ticketTypeId: string;
  quantity: number;
  slidingScalePercent?: number;
  promoCode?: string;
}

/** Thrown inside the transaction to roll it back when the seats are gone. */
class SeatsGone extends Error {}

async function prepare(deps: PaymentsDeps, eventId: string, input: OrderInput, now: Date) {
  const row = await repo.eventWithTicketType(deps.db, eventId, input.ticketTypeId);
  if (!row || row.eventStatus === "draft") throw notFound("Event");
  if (row.kind !== "ticketed") throw new DomainError("invalid_state", "This event takes RSVPs, not orders");
  if (row.eventStatus !== "published") throw new DomainError("not_on_sale", `The event is ${row.eventStatus}`);
  if (!row.ticketTypeId) throw new DomainError("unknown_ticket_type", "No such ticket type for this event");
  const type = { ...row, ticketTypeId: row.ticketTypeId, currency: row.currency as Currency, priceMinor: row.priceMinor! };
  assertOnSale({ active: type.active!, salesStartAt: type.salesStartAt, salesEndAt: type.salesEndAt, eventStartsAt: row.startsAt }, now);
  assertQuantityAllowed({ minPerOrder: type.minPerOrder, maxPerOrder: type.maxPerOrder }, input.quantity);
  let promo: { id: string; percentOff: number | null; amountOffMinor: number | null } | null = null;
  if (input.promoCode !== undefined) {
    const found = await repo.promoByCode(deps.db, eventId, normalizePromoCode(input.promoCode));
    if (!found) throw invalidPromoCode();
    assertPromoUsable(found, now, type.ticketTypeId);
    promo = found;
  }
  const price = priceOrder({
    ticketType: toPricedTicketType({ ...type, slidingScaleMaxPercent: type.slidingScaleMaxPercent ?? 0 }),
    quantity: input.quantity,
    slidingScalePercent: input.slidingScalePercent ?? 0,
    promo,
    now,
  });
  return { event: row, ticketTypeId: type.ticketTypeId, promo, price };
}

const orderRows = (p: { participationId: string; eventId: string; userId: string; ticketTypeId: string; quantity: number; promoCodeId: string | null; holdExpiresAt: Date | null }, price: PriceBreakdown): repo.NewOrderRows => ({
  ...p,
  unitPriceMinor: price.unitPriceMinor,
  earlyBirdApplied: price.earlyBirdApplied,
  groupDiscountMinor: price.groupDiscountMinor,
  promoDiscountMinor: price.promoDiscountMinor,
  slidingScalePercent: price.slidingScalePercent,
  slidingScaleDiscountMinor: price.slidingScaleDiscountMinor,
  subtotalMinor: price.subtotalMinor,
  amountMinor: price.totalMinor,
  currency: price.currency as Currency,
  confirmed: price.totalMinor === 0,
});

/**
 * POST /events/{id}/orders. The hot event row is locked last, so the lock is held only for the
 * two counter updates and the commit. Sold out → waitlisted (if enabled) or 409 sold_out.
 */
export async function createOrder(deps: PaymentsDeps, actor: Actor, eventId: string, input: OrderInput, meta: RequestMeta = {}): Promise<OrderResult> {
  const now = new Date();
  const { event, ticketTypeId, promo, price } = await prepare(deps, eventId, input, now);
  // In a rush most buyers arrive after the last seat: answer them from the read we already made
  // instead of queueing for the event row's lock. A seat freed a moment later goes to the next
  // buyer; the conditional UPDATE below remains what decides for everyone else.
  const room = Math.min(event.capacity - event.seatsTaken, event.quantity === null ? Infinity : event.quantity - (event.quantityTaken ?? 0));
  if (room < input.quantity && !event.waitlistEnabled) throw new DomainError("sold_out", "No seats left for this ticket type");
  const free = price.totalMinor === 0;
  const base = { eventId, userId: actor.userId, ticketTypeId, quantity: input.quantity, holdTtlSeconds: deps.holdTtlSeconds };
  try {
    const created = await useTransaction(deps.db, async (trx) => {
      await setAuditContext(trx, { actorId: actor.userId, ip: meta.ip ?? undefined, userAgent: meta.userAgent ?? undefined });
      const participation = await repo.upsertTicketParticipation(trx, { ...base, status: free ? "active" : "pending" });
      if (!participation) throw new DomainError("already_registered", "You already have a ticket or a hold for this event");
      if (promo && !(await repo.consumePromo(trx, promo.id))) throw invalidPromoCode();
      const ids = await repo.insertOrderAndPayment(
        trx,
        orderRows({ participationId: participation.id, eventId, userId: actor.userId, ticketTypeId, quantity: input.quantity, promoCodeId: promo?.id ?? null, holdExpiresAt: participation.holdExpiresAt }, price),
        meta,
      );
      if (!(await takeSeats(trx, { eventId, ticketTypeId, quantity: input.quantity }))) throw new SeatsGone();
      if (free) await notifyOrderConfirmed(trx, ids.orderId);
      return ids;
    });
    const intent = created.paymentId ? await attachIntent(deps, created.paymentId, `Tickets: ${event.title}`) : null;
    return orderResult(deps, created.orderId, { clientSecret: intent?.clientSecret ?? null, forUser: actor.userId });
  } catch (error) {
    if (!(error instanceof SeatsGone)) throw error;
  }
  if (!event.waitlistEnabled) throw new DomainError("sold_out", "No seats left for this ticket type");
  const waitlisted = await useTransaction(deps.db, async (trx) => {
    await setAuditContext(trx, { actorId: actor.userId });
    return joinTicketWaitlist(trx, deps, {
      ...base,
      metadata: { slidingScalePercent: input.slidingScalePercent ?? 0, promoCode: input.promoCode ?? null },
    });
  });
  if (!waitlisted) throw new DomainError("already_registered", "You already have a ticket or a hold for this event");
  return orderResult(deps, null, { participationId: waitlisted.id, forUser: actor.userId });
}
