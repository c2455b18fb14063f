// Ticket requests and the waitlist: joining it (only requests that can ever fit), and a promoted
// request's new seat hold, order and PaymentIntent on the terms it asked for (sliding scale,
// promo code, quantity), priced now (docs/ARCHITECTURE.md, invariant 5).
import { afterCommit, type Trx } from "../db/transaction";
import { DomainError } from "../errors";
import { notifyOrderConfirmed, notifyWaitlistJoined, notifyWaitlistPromoted } from "../mail/notify";
import { priceOrder } from "../ticketing/pricing";
import { takePromoUse } from "../ticketing/promo-codes";
import { lockEventSeats } from "../ticketing/seats";
import { toPricedTicketType } from "../ticketing/ticket-types";
import { canEverFit, promoteWaitlist, type PromotionOptions } from "../ticketing/waitlist";
import type { Participation } from "../ticketing/ticketing.table";
import type { PaymentsDeps } from "./deps";
import { dispatchTasks } from "./provider-tasks";
import { insertOrderAndPayment, priceColumns, upsertTicketParticipation, type TicketParticipationInput } from "./orders.repository";

async function createHoldOrder(trx: Trx, deps: PaymentsDeps, p: Participation): Promise<void> {
  if (!p.ticketTypeId) return;
  const t = await trx
    .selectFrom("ticketTypes as t")
    .innerJoin("events as e", "e.id", "t.eventId")
    .select([
      "t.priceMinor",
      "t.currency",
      "t.earlyBirdPriceMinor",
      "t.earlyBirdUntil",
      "t.groupMinQuantity",
      "t.groupDiscountPercent",
      "t.slidingScaleMaxPercent",
      "e.title",
    ])
    .where("t.id", "=", p.ticketTypeId)
    .executeTakeFirstOrThrow();
  const asked = Number(p.metadata.slidingScalePercent ?? 0);
  const code = typeof p.metadata.promoCode === "string" ? p.metadata.promoCode : null;
  // The code they joined with, if it can still be used now; its use is taken with this hold.
  const promo = code ? await takePromoUse(trx, p.eventId, code, p.ticketTypeId) : null;
  const price = priceOrder({
    ticketType: toPricedTicketType(t),
    quantity: p.quantity,
    // The type's maximum may have dropped since they joined: never exceed it now.
    slidingScalePercent: Math.min(Number.isFinite(asked) ? asked : 0, t.slidingScaleMaxPercent),
    promo,
    now: new Date(),
  });
  const free = price.totalMinor === 0;
  const ids = await insertOrderAndPayment(
    trx,
    {
      participationId: p.id,
      eventId: p.eventId,
      userId: p.userId,
      ticketTypeId: p.ticketTypeId,
      quantity: p.quantity,
      promoCodeId: promo?.id ?? null,
      ...priceColumns(price),
      holdExpiresAt: free ? null : p.holdExpiresAt,
      confirmed: free,
    },
    {},
  );
  if (free) await trx.updateTable("participations").set({ status: "active", holdExpiresAt: null }).where("id", "=", p.id).execute();
  await notifyWaitlistPromoted(trx, p.id, ids.orderId, { promoDropped: code !== null && promo === null });
  if (free) return notifyOrderConfirmed(trx, ids.orderId);
  const taskId = ids.intentTaskId;
  // Never fails whoever freed the seat: the worker, the sweep or the buyer's GET /orders/{id} finish it.
  if (taskId) await afterCommit(() => dispatchTasks(deps, [taskId], { tryNow: true }));
}

/** Promotion options for any path that frees ticketed seats. */
export const promotionOptions = (deps: PaymentsDeps): PromotionOptions => ({
  holdTtlSeconds: deps.holdTtlSeconds,
  onTicketHold: (trx, participation) => createHoldOrder(trx, deps, participation),
});

export type WaitlistRequest = Omit<TicketParticipationInput, "status">;

/**
 * A buyer who found no seat joins the waitlist: under the event row's lock, so a release that
 * committed meanwhile either already promoted others or sees this row; and if seats are free
 * right now (one was released since the buyer looked), the fair promotion runs at once and this
 * request gets them if it is the earliest that fits. A request that could never fit is 409 sold_out.
 */
export async function joinTicketWaitlist(trx: Trx, deps: PaymentsDeps, request: WaitlistRequest): Promise<Participation | undefined> {
  const event = await lockEventSeats(trx, request.eventId);
  // The hold's "no seat" also covers an event cancelled or closed since the buyer's read.
  if (event && event.status !== "published") throw new DomainError("not_on_sale", `The event is ${event.status}`);
  const type = await trx.selectFrom("ticketTypes").select("quantity").where("id", "=", request.ticketTypeId).executeTakeFirst();
  if (!event || !canEverFit(request.quantity, event.capacity, type?.quantity ?? null)) {
    throw new DomainError("sold_out", "More tickets than this event will ever have: choose a smaller quantity");
  }
  const row = await upsertTicketParticipation(trx, { ...request, status: "waitlisted" });
  if (!row) return undefined;
  const promoted = (await promoteWaitlist(trx, request.eventId, promotionOptions(deps))).find((p) => p.id === row.id);
  if (promoted) return promoted;
  await notifyWaitlistJoined(trx, row.id);
  return row;
}
