// The expire-holds job: seat holds whose time ran out give their seats back exactly once, the
// waitlist moves up, and their payments are settled through the one cancellation path (their
// PaymentIntents are cancelled by provider tasks after commit); expired Idempotency-Keys go too.
import { sql } from "kysely";
import { setAuditContext } from "../db/audit-context";
import { afterCommit, useTransaction, type Trx } from "../db/transaction";
import { sweepExpiredKeys } from "../idempotency";
import { settleCancelledTickets } from "../payments/cancellation";
import { failpoint } from "../shared/failpoints";
import type { PaymentsDeps } from "../payments/deps";
import { HOLD_EXPIRED_REASON } from "../payments/settlement";
import { promotionOptions } from "../payments/waitlist-orders";
import { transition } from "../ticketing/participations.repository";
import { holdExpiredEffects } from "../mail/hold-effects";
import { releaseSeats } from "../ticketing/seats";
import { promoteWaitlist } from "../ticketing/waitlist";

export interface ExpireHoldsOptions {
  /** Holds claimed per transaction: small, so each transaction locks few event rows briefly. */
  batchSize: number;
  /** The clock to compare hold_expires_at with (tests); default the database's now(). */
  now?: Date;
  /** No new batch starts after this long; the rest waits for the next run. */
  timeBudgetMs?: number;
}

export interface ExpireHoldsCounts {
  expired: number;
  seatsReleased: number;
  promoted: number;
  /** In-flight payments abandoned; their intents are cancelled by provider tasks. */
  paymentsAbandoned: number;
  idempotencyKeysDeleted: number;
  moreRemaining: boolean;
}

const clock = (now?: Date) => (now ? sql<Date>`${now.toISOString()}::timestamptz` : sql<Date>`now()`);

/** One short transaction: claim up to `batchSize` expired holds nobody else is working on, expire them. */
async function expireBatch(trx: Trx, deps: PaymentsDeps, options: ExpireHoldsOptions, passedOver: Set<string>) {
  await setAuditContext(trx, { reason: HOLD_EXPIRED_REASON });
  let claim = trx
    .selectFrom("participations")
    .select(["id", "eventId", "ticketTypeId", "quantity"])
    .where("status", "=", "pending")
    .where("holdExpiresAt", "<", clock(options.now));
  if (passedOver.size > 0) claim = claim.where("id", "not in", [...passedOver]);
  // SKIP LOCKED: an overlapping run (or a buyer cancelling right now) keeps its rows, we take others.
  const claimed = await claim.orderBy("holdExpiresAt").limit(options.batchSize).forUpdate().skipLocked().execute();
  const result = { claimed: claimed.length, expired: 0, seatsReleased: 0, promoted: 0, paymentsAbandoned: 0 };
  if (claimed.length === 0) return result;

  const ids = claimed.map((p) => p.id);
  const payable = trx
    .selectFrom("payments as pay")
    .innerJoin("orders as o", "o.id", "pay.orderId")
    .select(["pay.id", "pay.status", "pay.providerPaymentIdEnc", "o.participationId"])
    .where("o.participationId", "in", ids)
    .where("o.status", "=", "pending")
    .where("pay.status", "in", ["pending", "failed"]);
  const all = await payable.execute();
  // A webhook settling (or a buyer cancelling) a payment locks it before the participation, the
  // reverse of our order: waiting here could deadlock. Leave those holds to that transaction.
  const locked = await payable.forUpdate("pay").skipLocked().execute();
  const lockedIds = new Set(locked.map((p) => p.id));
  const busy = new Set(all.filter((p) => !lockedIds.has(p.id)).map((p) => p.participationId));
  for (const id of busy) passedOver.add(id);

  // Event rows in one global order, so overlapping runs never lock two events in opposite orders.
  const holds = claimed
    .filter((p) => !busy.has(p.id))
    .sort((a, b) => a.eventId.localeCompare(b.eventId) || (a.ticketTypeId ?? "").localeCompare(b.ticketTypeId ?? ""));
  const events = new Set<string>();
  const expired: string[] = [];
  for (const hold of holds) {
    // Conditional on 'pending': the one transaction that moves the row releases its seats.
    if (!(await transition(trx, hold.id, { from: ["pending"], to: "cancelled", reason: HOLD_EXPIRED_REASON }))) continue;
    await releaseSeats(trx, { eventId: hold.eventId, ticketTypeId: hold.ticketTypeId, quantity: hold.quantity });
    result.expired += 1;
    result.seatsReleased += hold.quantity;
    events.add(hold.eventId);
    expired.push(hold.id);
  }
  await afterCommit(() => failpoint("expire-holds.after-commit"));
  const settled = await settleCancelledTickets(trx, deps, expired, {
    orderStatus: "expired",
    refund: false,
    reason: HOLD_EXPIRED_REASON,
    actorId: null,
    // A batch is small: the job cancels its intents itself, right after the commit.
    tryNow: true,
  });
  result.paymentsAbandoned = settled.paymentsAbandoned;
  for (const id of expired) await holdExpiredEffects(trx, id);
  for (const eventId of [...events].sort()) result.promoted += (await promoteWaitlist(trx, eventId, promotionOptions(deps))).length;
  return result;
}

export async function expireHolds(deps: PaymentsDeps, options: ExpireHoldsOptions): Promise<ExpireHoldsCounts> {
  const started = Date.now();
  const counts: ExpireHoldsCounts = {
    expired: 0,
    seatsReleased: 0,
    promoted: 0,
    paymentsAbandoned: 0,
    idempotencyKeysDeleted: 0,
    moreRemaining: false,
  };
  const passedOver = new Set<string>();
  for (;;) {
    const batch = await useTransaction(deps.db, (trx) => expireBatch(trx, deps, options, passedOver));
    counts.expired += batch.expired;
    counts.seatsReleased += batch.seatsReleased;
    counts.promoted += batch.promoted;
    counts.paymentsAbandoned += batch.paymentsAbandoned;
    await failpoint("expire-holds.between-batches");
    if (batch.claimed < options.batchSize) break;
    if (options.timeBudgetMs !== undefined && Date.now() - started >= options.timeBudgetMs) {
      counts.moreRemaining = true;
      break;
    }
  }
  counts.idempotencyKeysDeleted = await sweepExpiredKeys(deps.db);
  return counts;
}
