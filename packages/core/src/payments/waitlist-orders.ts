// A waitlisted buyer promoted to a seat hold gets a fresh order and PaymentIntent (docs/ARCHITECTURE.md,
// invariant 5): priced now, with the sliding scale they asked for when they joined the waitlist.
import { afterCommit, type Trx } from "../db/transaction";
import type { Currency } from "../money";
import { priceOrder } from "../ticketing/pricing";
import { toPricedTicketType } from "../ticketing/ticket-types";
import type { PromotionOptions } from "../ticketing/waitlist";
import type { Participation } from "../ticketing/ticketing.table";
import type { PaymentsDeps } from "./deps";
import { dispatchTasks } from "./provider-tasks";
import { insertOrderAndPayment } from "./orders.repository";

async function createHoldOrder(trx: Trx, deps: PaymentsDeps, p: Participation): Promise<void> {
  if (!p.ticketTypeId) return;
  const t = await trx.selectFrom("ticketTypes as t").innerJoin("events as e", "e.id", "t.eventId").select(["t.priceMinor", "t.currency", "t.earlyBirdPriceMinor", "t.earlyBirdUntil", "t.groupMinQuantity", "t.groupDiscountPercent", "t.slidingScaleMaxPercent", "e.title"]).where("t.id", "=", p.ticketTypeId).executeTakeFirstOrThrow();
  const asked = Number(p.metadata.slidingScalePercent ?? 0);
  const price = priceOrder({
    ticketType: toPricedTicketType(t),
    quantity: p.quantity,
    // The type's maximum may have dropped since they joined: never exceed it now.
    slidingScalePercent: Math.min(Number.isFinite(asked) ? asked : 0, t.slidingScaleMaxPercent),
    now: new Date(),
  });
  const free = price.totalMinor === 0;
  const ids = await insertOrderAndPayment(
    trx,
    {
      participationId: p.id, eventId: p.eventId, userId: p.userId, ticketTypeId: p.ticketTypeId, quantity: p.quantity,
      unitPriceMinor: price.unitPriceMinor, earlyBirdApplied: price.earlyBirdApplied, groupDiscountMinor: price.groupDiscountMinor,
      promoCodeId: null, promoDiscountMinor: 0, slidingScalePercent: price.slidingScalePercent,
      slidingScaleDiscountMinor: price.slidingScaleDiscountMinor, subtotalMinor: price.subtotalMinor, amountMinor: price.totalMinor,
      currency: price.currency as Currency, holdExpiresAt: free ? null : p.holdExpiresAt, confirmed: free,
    },
    {},
  );
  if (free) {
    await trx.updateTable("participations").set({ status: "active", holdExpiresAt: null }).where("id", "=", p.id).execute();
    return;
  }
  const taskId = ids.intentTaskId;
  // Never fails whoever freed the seat: the worker, the sweep or the buyer's GET /orders/{id} finish it.
  if (taskId) await afterCommit(() => dispatchTasks(deps, [taskId], { tryNow: true }));
}

/** Promotion options for any path that frees ticketed seats. */
export const promotionOptions = (deps: PaymentsDeps): PromotionOptions => ({
  holdTtlSeconds: deps.holdTtlSeconds,
  onTicketHold: (trx, participation) => createHoldOrder(trx, deps, participation),
});
