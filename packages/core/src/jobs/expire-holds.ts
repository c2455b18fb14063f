// The expire-holds job: seat holds whose time ran out give their seats back exactly once, the
// waitlist moves up, and their PaymentIntents are cancelled after commit (DESIGN invariants 2, 4, 5).
import { sql } from "kysely";
import { setAuditContext } from "../db/audit-context";
import { useTransaction, type Trx } from "../db/transaction";
import { abandonPayment, cancelIdempotencyKey } from "../payments/abandon";
import type { PaymentsDeps } from "../payments/deps";
import { submitRefund } from "../payments/refund-submission";
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
  intentsCancelled: number;
  refundsResubmitted: number;
  refundResubmitFailures: number;
  moreRemaining: boolean;
}

interface IntentToCancel {
  paymentId: string;
  intentId: string;
}

const clock = (now?: Date) => (now ? sql<Date>`${now.toISOString()}::timestamptz` : sql<Date>`now()`);

export { cancelIdempotencyKey };

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
  const result = { claimed: claimed.length, expired: 0, seatsReleased: 0, promoted: 0, cancels: [] as IntentToCancel[] };
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
  const holds = claimed.filter((p) => !busy.has(p.id)).sort((a, b) => a.eventId.localeCompare(b.eventId) || (a.ticketTypeId ?? "").localeCompare(b.ticketTypeId ?? ""));
  const events = new Set<string>();
  for (const hold of holds) {
    // Conditional on 'pending': the one transaction that moves the row releases its seats.
    const moved = await transition(trx, hold.id, { from: ["pending"], to: "cancelled", reason: HOLD_EXPIRED_REASON });
    if (!moved) continue;
    await releaseSeats(trx, { eventId: hold.eventId, ticketTypeId: hold.ticketTypeId, quantity: hold.quantity });
    result.expired += 1;
    result.seatsReleased += hold.quantity;
    events.add(hold.eventId);
    await trx.updateTable("orders").set({ status: "expired" }).where("participationId", "=", hold.id).where("status", "=", "pending").execute();
    await holdExpiredEffects(trx, hold.id);
    for (const payment of locked.filter((p) => p.participationId === hold.id)) {
      const intentId = await abandonPayment(trx, deps, payment, { description: "Hold expired", cancelAfterCommit: false });
      if (intentId) result.cancels.push({ paymentId: payment.id, intentId });
    }
  }
  for (const eventId of [...events].sort()) result.promoted += (await promoteWaitlist(trx, eventId, promotionOptions(deps))).length;
  return result;
}

/** Refunds committed but never sent (a crash between commit and the provider call). */
async function resubmitStuckRefunds(deps: PaymentsDeps, now?: Date) {
  const stuck = await deps.db
    .selectFrom("refunds")
    .select("id")
    .where("status", "=", "processing")
    .where("providerRefundIdHash", "is", null)
    .where("createdAt", "<", sql<Date>`${clock(now)} - interval '1 minute'`)
    .orderBy("createdAt")
    .limit(100)
    .execute();
  let resubmitted = 0;
  let failures = 0;
  // Our idempotency key makes a resubmission of a refund the provider already has harmless.
  for (const refund of stuck) await submitRefund(deps, refund.id).then(() => resubmitted++, () => failures++);
  return { resubmitted, failures };
}

export async function expireHolds(deps: PaymentsDeps, options: ExpireHoldsOptions): Promise<ExpireHoldsCounts> {
  const started = Date.now();
  const counts: ExpireHoldsCounts = { expired: 0, seatsReleased: 0, promoted: 0, intentsCancelled: 0, refundsResubmitted: 0, refundResubmitFailures: 0, moreRemaining: false };
  const passedOver = new Set<string>();
  for (;;) {
    const batch = await useTransaction(deps.db, (trx) => expireBatch(trx, deps, options, passedOver));
    counts.expired += batch.expired;
    counts.seatsReleased += batch.seatsReleased;
    counts.promoted += batch.promoted;
    // After commit, never inside the transaction (invariant 2). An intent that already succeeded
    // refuses to cancel: expected, its succeeded webhook re-takes the seats or refunds.
    for (const c of batch.cancels) {
      await deps.gateway.cancelIntent(c.intentId, cancelIdempotencyKey(c.paymentId)).then(() => counts.intentsCancelled++, () => undefined);
    }
    if (batch.claimed < options.batchSize) break;
    if (options.timeBudgetMs !== undefined && Date.now() - started >= options.timeBudgetMs) {
      counts.moreRemaining = true;
      break;
    }
  }
  const refunds = await resubmitStuckRefunds(deps, options.now);
  counts.refundsResubmitted = refunds.resubmitted;
  counts.refundResubmitFailures = refunds.failures;
  return counts;
}
