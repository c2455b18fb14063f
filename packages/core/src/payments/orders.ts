// Placing an order: price it, hold the seats (order, payment, the intent's provider task and the
// Idempotency-Key written together: order-holds.ts), then create the PaymentIntent after commit.
// A retry with the same key finishes the same order, never a second.
import * as z from "zod";
import type { Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import { useTransaction } from "../db/transaction";
import { claimKey, findEarlier, KeyTaken, ReplayedAnswer, type Earlier, type IdempotencyRequest } from "../idempotency";
import { DomainError, notFound } from "../errors";
import { parseInput, percent } from "../shared/validation";
import type { Currency } from "../money";
import { priceOrder } from "../ticketing/pricing";
import { toPricedTicketType } from "../ticketing/ticket-types";
import { assertOnSale, assertPromoUsable, assertQuantityAllowed, invalidPromoCode, normalizePromoCode } from "../ticketing/sales-rules";
import { assertChargeable } from "./chargeable";
import type { PaymentsDeps, RequestMeta } from "./deps";
import { finish, holdFree, holdPaid, resultFor, type OrderAnswer } from "./order-holds";
import * as repo from "./orders.repository";
import { joinTicketWaitlist } from "./waitlist-orders";
import type { OrderResult } from "./views";

export type { OrderAnswer } from "./order-holds";

export interface OrderInput {
  ticketTypeId: string;
  quantity: number;
  slidingScalePercent?: number;
  promoCode?: string;
}

/** An order's body: the rules every caller meets (`placeOrder.schema` in the payments index). */
export const PlaceOrderInput = z.strictObject({
  ticketTypeId: z.uuid(),
  quantity: z.number().int().min(1).max(1000),
  slidingScalePercent: percent(75).optional(),
  promoCode: z.string().trim().min(1).max(64).optional(),
});

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

async function answerEarlier(deps: PaymentsDeps, actor: Actor, key: IdempotencyRequest, earlier: Earlier): Promise<OrderAnswer> {
  const status = earlier.status === 200 ? 200 : 201;
  if (earlier.kind === "resume") return { status, result: await finish(deps, actor, key, earlier.resourceId, status), replayed: true };
  // A refusal was stored as given; a success is rebuilt (it holds secrets that are not stored in clear).
  if (earlier.body !== null || !earlier.resourceId) throw new ReplayedAnswer(earlier.status, earlier.body);
  return { status, result: await resultFor(deps, actor, earlier.resourceId), replayed: true };
}

/**
 * POST /events/{id}/orders. The hot event row is locked last, so the lock is held only for the
 * two counter updates and the commit. Sold out → waitlisted (if enabled) or 409 sold_out. A buyer
 * who already holds seats for the event gets that order back (200) instead of a refusal.
 */
export async function placeOrder(
  deps: PaymentsDeps,
  actor: Actor,
  eventId: string,
  input: OrderInput,
  meta: RequestMeta = {},
  key?: IdempotencyRequest,
): Promise<OrderAnswer> {
  // Before anything else: a retry must find its own hold even when the event has sold out since.
  const earlier = key ? await findEarlier(deps.db, key) : undefined;
  if (key && earlier) return answerEarlier(deps, actor, key, earlier);
  try {
    return await placeNew(deps, actor, eventId, parseInput(PlaceOrderInput, input), meta, key);
  } catch (error) {
    if (!(error instanceof KeyTaken) || !key) throw error;
    // A concurrent request with the same key committed first: answer as its retry would.
    const first = await findEarlier(deps.db, key);
    if (!first) throw error;
    return answerEarlier(deps, actor, key, first);
  }
}

/** Placing an order without an Idempotency-Key (jobs, tests): the order or waitlist place. */
export async function createOrder(
  deps: PaymentsDeps,
  actor: Actor,
  eventId: string,
  input: OrderInput,
  meta: RequestMeta = {},
): Promise<OrderResult> {
  return (await placeOrder(deps, actor, eventId, input, meta)).result;
}

async function placeNew(
  deps: PaymentsDeps,
  actor: Actor,
  eventId: string,
  input: OrderInput,
  meta: RequestMeta,
  key: IdempotencyRequest | undefined,
): Promise<OrderAnswer> {
  const now = new Date();
  const { event, ticketTypeId, promo, price } = await prepare(deps, eventId, input, now);
  assertChargeable(price.totalMinor, price.currency as Currency);
  // In a rush most buyers arrive after the last seat: answer them from the read we already made
  // instead of queueing for the event row's lock. A seat freed a moment later goes to the next
  // buyer; the conditional UPDATE of the hold remains what decides for everyone else.
  const room = Math.min(
    event.capacity - event.seatsTaken,
    event.quantity === null ? Infinity : event.quantity - (event.quantityTaken ?? 0),
  );
  // …unless they are a buyer coming back for the seats they already hold (answered by the hold).
  if (room < input.quantity && !event.waitlistEnabled && !(await repo.pendingOrderOf(deps.db, actor.userId, eventId))) {
    throw new DomainError("sold_out", "No seats left for this ticket type");
  }
  const base = { eventId, userId: actor.userId, ticketTypeId, quantity: input.quantity, holdTtlSeconds: deps.holdTtlSeconds };
  const order = { ...base, promoCodeId: promo?.id ?? null, ...repo.priceColumns(price) };
  const placed = await (price.totalMinor === 0 ? holdFree : holdPaid)({ deps, actor, key, meta }, order);
  if (placed) return placed;
  if (!event.waitlistEnabled) throw new DomainError("sold_out", "No seats left for this ticket type");
  const waitlisted = await useTransaction(deps.db, async (trx) => {
    await setAuditContext(trx, { actorId: actor.userId });
    const row = await joinTicketWaitlist(trx, deps, {
      ...base,
      metadata: { slidingScalePercent: input.slidingScalePercent ?? 0, promoCode: input.promoCode ?? null },
    });
    if (!row) throw new DomainError("already_registered", "You already have a ticket or a hold for this event");
    if (key) await claimKey(trx, key, { resourceId: row.id, status: 201, done: true });
    return row;
  });
  return { status: 201, result: await resultFor(deps, actor, waitlisted.id), replayed: false };
}
