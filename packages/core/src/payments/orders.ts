// Placing an order: price it, hold the seats and write order, payment and the intent's provider
// task in one short transaction (the Idempotency-Key is claimed in it too), then create the
// PaymentIntent after commit. A retry with the same key finishes the same order, never a second.
import type { Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import { transactionBudget, useTransaction } from "../db/transaction";
import {
  claimKey,
  findEarlier,
  KeyTaken,
  ReplayedAnswer,
  completeKey,
  releaseKey,
  type Earlier,
  type IdempotencyRequest,
} from "../idempotency";
import { DomainError, notFound } from "../errors";
import type { Currency } from "../money";
import { priceOrder, type PriceBreakdown } from "../ticketing/pricing";
import { toPricedTicketType } from "../ticketing/ticket-types";
import { assertOnSale, assertPromoUsable, assertQuantityAllowed, invalidPromoCode, normalizePromoCode } from "../ticketing/sales-rules";
import { notifyOrderConfirmed } from "../mail/notify";
import { joinTicketWaitlist } from "./waitlist-orders";
import { takeSeats } from "../ticketing/seats";
import { failpoint } from "../shared/failpoints";
import { assertChargeable } from "./chargeable";
import type { PaymentsDeps, RequestMeta } from "./deps";
import { placeTicketHold, type CreatedIntent } from "./hold.repository";
import { ensureIntent, startHeldIntent } from "./intent";
import * as repo from "./orders.repository";
import { taskLeaseSeconds } from "./provider-tasks";
import { heldOrderResult, orderResult, type OrderResult } from "./views";

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

/** An order's price as the order row stores it. */
const priceColumns = (price: PriceBreakdown) => ({
  unitPriceMinor: price.unitPriceMinor,
  earlyBirdApplied: price.earlyBirdApplied,
  groupDiscountMinor: price.groupDiscountMinor,
  promoDiscountMinor: price.promoDiscountMinor,
  slidingScalePercent: price.slidingScalePercent,
  slidingScaleDiscountMinor: price.slidingScaleDiscountMinor,
  subtotalMinor: price.subtotalMinor,
  amountMinor: price.totalMinor,
  currency: price.currency as Currency,
});

/** 201 for a new order (or waitlist place), 200 for the buyer's own pending hold given back. */
export interface OrderAnswer {
  status: 200 | 201;
  result: OrderResult;
  /** The answer belongs to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/** The order (or, for a waitlist place, the participation) an answer is built from. */
async function resultFor(deps: PaymentsDeps, actor: Actor, resourceId: string): Promise<OrderResult> {
  const order = await deps.db.selectFrom("orders").select("id").where("id", "=", resourceId).executeTakeFirst();
  return order
    ? orderResult(deps, order.id, { forUser: actor.userId })
    : orderResult(deps, null, { participationId: resourceId, forUser: actor.userId });
}

/**
 * After the hold committed: the PaymentIntent must exist before the buyer can pay. If the provider
 * fails now, the key is released and the 502 tells the client to retry; the retry resumes here.
 */
async function finish(
  deps: PaymentsDeps,
  actor: Actor,
  key: IdempotencyRequest | undefined,
  orderId: string,
  status: 200 | 201,
): Promise<OrderResult> {
  const payment = await deps.db
    .selectFrom("payments")
    .select("id")
    .where("orderId", "=", orderId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  try {
    if (payment) await ensureIntent(deps, payment.id);
  } catch (error) {
    if (key) await releaseKey(deps.db, key);
    throw error;
  }
  if (key) await completeKey(deps.db, key, status);
  await failpoint("order.before-response");
  return resultFor(deps, actor, orderId);
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
    return await placeNew(deps, actor, eventId, input, meta, key);
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
  const order = { ...base, promoCodeId: promo?.id ?? null, ...priceColumns(price) };
  const placed = price.totalMinor === 0 ? await holdFree(deps, actor, key, order) : await holdPaid(deps, actor, key, meta, order);
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

/** Everything an order row needs but its participation. */
type NewOrder = Omit<repo.NewOrderRows, "participationId" | "holdExpiresAt" | "confirmed"> & { holdTtlSeconds: number };

const alreadyRegistered = () => new DomainError("already_registered", "You already have a ticket for this event");

/**
 * A paid hold: one statement (place_ticket_hold), then the PaymentIntent and one statement that
 * records it and completes the key; the 201 is built from what those returned. Undefined: sold out.
 */
async function holdPaid(
  deps: PaymentsDeps,
  actor: Actor,
  key: IdempotencyRequest | undefined,
  meta: RequestMeta,
  order: NewOrder,
): Promise<OrderAnswer | undefined> {
  const budget = transactionBudget();
  const outcome = await placeTicketHold(deps.db, {
    ...order,
    // Never longer than the key's: once the client may retry, the retry can take the task.
    taskLeaseSeconds: Math.min(taskLeaseSeconds(), key?.leaseSeconds ?? Infinity),
    lockTimeout: budget ? `${budget.lockMs}ms` : null,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent ?? null,
    ...(key ? { key } : {}),
  });
  switch (outcome.kind) {
    case "sold_out":
      return undefined;
    case "already_registered":
      throw alreadyRegistered();
    case "promo_exhausted":
      throw invalidPromoCode();
    case "key_taken":
      throw new KeyTaken();
    case "own_order":
      await failpoint("order.after-hold-commit");
      return { status: 200, result: await finish(deps, actor, key, outcome.orderId, 200), replayed: false };
    case "held": {
      let intent: CreatedIntent;
      try {
        await failpoint("order.after-hold-commit");
        intent = await startHeldIntent(deps, { ...outcome.held, userId: actor.userId }, key);
      } catch (error) {
        if (key) await releaseKey(deps.db, key);
        throw error;
      }
      await failpoint("order.before-response");
      return { status: 201, result: heldOrderResult(outcome.held, intent), replayed: false };
    }
  }
}

/** A free order: confirmed at once, with its tickets and receipt, in one transaction. Undefined: sold out. */
async function holdFree(
  deps: PaymentsDeps,
  actor: Actor,
  key: IdempotencyRequest | undefined,
  order: NewOrder,
): Promise<OrderAnswer | undefined> {
  const rows = { ...order, holdExpiresAt: null, confirmed: true };
  try {
    const held = await useTransaction(deps.db, async (trx) => {
      await setAuditContext(trx, { actorId: actor.userId });
      const participation = await repo.upsertTicketParticipation(trx, { ...rows, status: "active", holdTtlSeconds: 0 });
      if (!participation) {
        const own = await repo.pendingOrderOf(trx, actor.userId, rows.eventId);
        if (!own) throw alreadyRegistered();
        if (key) await claimKey(trx, key, { resourceId: own.id, status: 200 });
        return { orderId: own.id, status: 200 as const };
      }
      if (rows.promoCodeId && !(await repo.consumePromo(trx, rows.promoCodeId))) throw invalidPromoCode();
      const ids = await repo.insertOrderAndPayment(trx, { ...rows, participationId: participation.id }, {});
      if (!(await takeSeats(trx, rows))) throw new SeatsGone();
      await notifyOrderConfirmed(trx, ids.orderId);
      if (key) await claimKey(trx, key, { resourceId: ids.orderId, status: 201 });
      return { orderId: ids.orderId, status: 201 as const };
    });
    await failpoint("order.after-hold-commit");
    return { status: held.status, result: await finish(deps, actor, key, held.orderId, held.status), replayed: false };
  } catch (error) {
    if (!(error instanceof SeatsGone)) throw error;
    return undefined;
  }
}
