// The two ways an order holds seats once priced: a paid hold in one statement followed by its
// PaymentIntent, or a free order confirmed in one transaction; and finishing a hold after commit.
import type { Actor } from "../auth/actor";
import { setAuditContext } from "../db/audit-context";
import { transactionBudget, useTransaction } from "../db/transaction";
import { claimKey, completeKey, KeyTaken, releaseKey, type IdempotencyRequest } from "../idempotency";
import { DomainError } from "../errors";
import { notifyOrderConfirmed } from "../mail/notify";
import { invalidPromoCode } from "../ticketing/sales-rules";
import { onEventRow, takeSeats } from "../ticketing/seats";
import { failpoint } from "../shared/failpoints";
import type { PaymentsDeps, RequestMeta } from "./deps";
import { placeTicketHold, type CreatedIntent } from "./hold.repository";
import { ensureOrderIntent, startHeldIntent } from "./intent";
import * as repo from "./orders.repository";
import { taskLeaseSeconds } from "./provider-tasks";
import { heldOrderResult, orderResult, type OrderResult } from "./views";

/** Thrown inside the transaction to roll it back when the seats are gone. */
class SeatsGone extends Error {}

/** 201 for a new order (or waitlist place), 200 for the buyer's own pending hold given back. */
export interface OrderAnswer {
  status: 200 | 201;
  result: OrderResult;
  /** The answer belongs to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/** The order (or, for a waitlist place, the participation) an answer is built from. */
export async function resultFor(deps: PaymentsDeps, actor: Actor, resourceId: string): Promise<OrderResult> {
  const order = await deps.db.selectFrom("orders").select("id").where("id", "=", resourceId).executeTakeFirst();
  return order
    ? orderResult(deps, order.id, { forUser: actor.userId })
    : orderResult(deps, null, { participationId: resourceId, forUser: actor.userId });
}

/**
 * After the hold committed: the PaymentIntent must exist before the buyer can pay. If the provider
 * fails now, the key is released and the 502 tells the client to retry; the retry resumes here.
 */
export async function finish(
  deps: PaymentsDeps,
  actor: Actor,
  key: IdempotencyRequest | undefined,
  orderId: string,
  status: 200 | 201,
): Promise<OrderResult> {
  try {
    await ensureOrderIntent(deps, orderId);
  } catch (error) {
    if (key) await releaseKey(deps.db, key);
    throw error;
  }
  if (key) await completeKey(deps.db, key, status);
  await failpoint("order.before-response");
  return resultFor(deps, actor, orderId);
}

/** Who places an order, with what, and through which request. */
export interface Placing {
  deps: PaymentsDeps;
  actor: Actor;
  key: IdempotencyRequest | undefined;
  meta: RequestMeta;
}

/** Everything an order row needs but its participation. */
export type NewOrder = Omit<repo.NewOrderRows, "participationId" | "holdExpiresAt" | "confirmed"> & { holdTtlSeconds: number };

const alreadyRegistered = () => new DomainError("already_registered", "You already have a ticket for this event");

/**
 * A paid hold: one statement (place_ticket_hold), then the PaymentIntent and one statement that
 * records it and completes the key; the 201 is built from what those returned. Undefined: sold out.
 */
export async function holdPaid({ deps, actor, key, meta }: Placing, order: NewOrder): Promise<OrderAnswer | undefined> {
  const outcome = await onEventRow(order.eventId, () => {
    // Taken once through the gate: the time spent queueing there is spent.
    const budget = transactionBudget();
    return placeTicketHold(deps.db, {
      ...order,
      // Never longer than the key's: once the client may retry, the retry can take the task.
      taskLeaseSeconds: Math.min(taskLeaseSeconds(), key?.leaseSeconds ?? Infinity),
      lockTimeout: budget ? `${budget.lockMs}ms` : null,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent ?? null,
      ...(key ? { key } : {}),
    });
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
export async function holdFree({ deps, actor, key, meta }: Placing, order: NewOrder): Promise<OrderAnswer | undefined> {
  const rows = { ...order, holdExpiresAt: null, confirmed: true };
  try {
    const held = await onEventRow(rows.eventId, () =>
      useTransaction(deps.db, async (trx) => {
        await setAuditContext(trx, { actorId: actor.userId, ip: meta.ip ?? null, userAgent: meta.userAgent ?? null });
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
      }),
    );
    await failpoint("order.after-hold-commit");
    return { status: held.status, result: await finish(deps, actor, key, held.orderId, held.status), replayed: false };
  } catch (error) {
    if (!(error instanceof SeatsGone)) throw error;
    return undefined;
  }
}
