// What an unpaid order ending owes its buyer, as one call for the paths that end it: the promo
// use goes back and the buyer is told. Both are exactly once (order marker, dedupe key).
import type { Trx } from "../db/transaction";
import { latestOrderOf } from "../payments/orders.repository";
import { releasePromoUse } from "../ticketing/promo-codes";
import { notifyHoldExpired, notifyOrderCancelled } from "./notify";

/** A seat hold expired (expire-holds job): give back its order's promo use, mail hold_expired. */
export async function holdExpiredEffects(trx: Trx, participationId: string): Promise<void> {
  const latest = await latestOrderOf(trx, participationId);
  if (latest) await releasePromoUse(trx, latest.id);
  await notifyHoldExpired(trx, participationId);
}

/** An order was cancelled: an unpaid one gives its promo use back; the buyer gets order_cancelled. */
export async function orderCancelledEffects(trx: Trx, orderId: string): Promise<void> {
  await releasePromoUse(trx, orderId);
  await notifyOrderCancelled(trx, orderId);
}
