// Promo codes: N buyers racing for a code with k uses left get exactly k; a use comes back when a
// hold expires or an unpaid order is cancelled (once), never for a paid one; every unusable code
// is the same 422; list and PATCH keep their rules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@evently/core/db/client";
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { cancelOrder } from "@evently/core/payments/order-lifecycle";
import { createOrder } from "@evently/core/payments/orders";
import { listPromoCodes, updatePromoCode } from "@evently/core/ticketing/promo-codes";
import { inDays, makeActor, makeEvent, makePromoCode, makeTicketType, type TestActor } from "../../support/fixtures";
import { startPaymentsHarness, type PaymentsHarness } from "../payments/harness";

let h: PaymentsHarness;
let db: Db;
let organizer: TestActor;
beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.t.db;
  organizer = await makeActor(db, { role: "organizer" });
});
afterAll(() => h.stop());

async function setup(capacity = 50) {
  const event = await makeEvent(db, organizer, { kind: "ticketed", capacity });
  const type = await makeTicketType(db, organizer, event.id, { priceMinor: 2000 });
  return { eventId: event.id, typeId: type.id };
}
const usesOf = async (id: string) => (await db.selectFrom("promoCodes").select("uses").where("id", "=", id).executeTakeFirstOrThrow()).uses;
const buy = (buyer: TestActor, eventId: string, ticketTypeId: string, promoCode?: string) =>
  createOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1, ...(promoCode ? { promoCode } : {}) });

it("N buyers racing for a code with k uses left: exactly k get it, the rest the one 422, uses equal orders", async () => {
  const { eventId, typeId } = await setup();
  const code = await makePromoCode(db, organizer, eventId, { code: "RUSH", percentOff: 50, maxUses: 7 });
  await db.updateTable("promoCodes").set({ uses: 2 }).where("id", "=", code.id).execute(); // k = 5 left
  const buyers = await Promise.all(Array.from({ length: 20 }, () => makeActor(db)));
  const results = await Promise.allSettled(buyers.map((b) => buy(b, eventId, typeId, "rush")));
  const won = results.filter((r) => r.status === "fulfilled");
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  expect(won).toHaveLength(5);
  for (const r of lost) expect(r.reason).toMatchObject({ code: "invalid_promo_code" });
  expect(await usesOf(code.id)).toBe(7);
  const orders = await db.selectFrom("orders").select("id").where("promoCodeId", "=", code.id).execute();
  expect(orders).toHaveLength(5);
});

it("a use comes back exactly once when a hold expires or an unpaid order is cancelled; a paid order keeps it", async () => {
  const { eventId, typeId } = await setup();
  const code = await makePromoCode(db, organizer, eventId, { code: "BACK", amountOffMinor: 500, maxUses: 3 });
  const [expiring, cancelling, paying] = [await makeActor(db), await makeActor(db), await makeActor(db)];
  await buy(expiring, eventId, typeId, "BACK");
  const cancelled = await buy(cancelling, eventId, typeId, "BACK");
  expect(await usesOf(code.id)).toBe(2);
  await cancelOrder(h.deps, cancelling, cancelled.order!.id);
  expect(await usesOf(code.id)).toBe(1);
  const later = new Date(Date.now() + 3_600_000);
  await expireHolds(h.deps, { batchSize: 10, now: later });
  await expireHolds(h.deps, { batchSize: 10, now: later });
  expect(await usesOf(code.id)).toBe(0);

  // Paid with the code, then cancelled by the organizer (refunded): the use stays taken.
  const paid = await createOrder(h.deps, paying, eventId, { ticketTypeId: typeId, quantity: 1, promoCode: "back" });
  await h.stripe.paymentIntents.confirm(paid.payment!.providerPaymentId!, { payment_method: "pm_card_visa" });
  await h.drain(h.pending(["payment_intent.succeeded"]));
  await cancelOrder(h.deps, organizer, paid.order!.id, { reason: "Seat reassigned by the organizer" });
  expect(await usesOf(code.id)).toBe(1);
});

describe("one answer for every unusable code", () => {
  it("unknown, inactive, exhausted, expired, not yet valid and wrong-ticket-type codes are the same 422", async () => {
    const { eventId, typeId } = await setup();
    const other = await makeTicketType(db, organizer, eventId, { name: "VIP", priceMinor: 5000 });
    await makePromoCode(db, organizer, eventId, { code: "OFF", percentOff: 10, active: false });
    const used = await makePromoCode(db, organizer, eventId, { code: "USED", percentOff: 10, maxUses: 1 });
    await db.updateTable("promoCodes").set({ uses: 1 }).where("id", "=", used.id).execute();
    await makePromoCode(db, organizer, eventId, { code: "PAST", percentOff: 10, validFrom: inDays(-3), validUntil: inDays(-1) });
    await makePromoCode(db, organizer, eventId, { code: "SOON", percentOff: 10, validFrom: inDays(1) });
    await makePromoCode(db, organizer, eventId, { code: "VIPONLY", percentOff: 10, ticketTypeIds: [other.id] });
    const answers = new Set<string>();
    for (const code of ["NOPE", "OFF", "USED", "PAST", "SOON", "VIPONLY"]) {
      const error = await buy(await makeActor(db), eventId, typeId, code).then(
        () => null,
        (e: { code: string; message: string }) => e,
      );
      expect(error, code).toMatchObject({ code: "invalid_promo_code" });
      answers.add(error!.message);
    }
    expect(answers.size).toBe(1);
    expect((await buy(await makeActor(db), eventId, other.id, "viponly")).order!.promoCode).toBe("VIPONLY");
  });
});

describe("list and PATCH", () => {
  it("lists with uses; PATCH changes active, window, maxUses (never below uses) and ticket types", async () => {
    const { eventId, typeId } = await setup();
    const code = await makePromoCode(db, organizer, eventId, { code: "EDIT", percentOff: 10, maxUses: 5 });
    await buy(await makeActor(db), eventId, typeId, "EDIT");
    await buy(await makeActor(db), eventId, typeId, "EDIT");
    expect((await listPromoCodes(db, organizer, eventId)).items).toEqual([
      expect.objectContaining({ id: code.id, uses: 2, maxUses: 5, ticketTypeIds: null }),
    ]);
    await expect(updatePromoCode(db, organizer, code.id, { maxUses: 1 })).rejects.toMatchObject({ code: "conflict" });
    expect(await updatePromoCode(db, organizer, code.id, { maxUses: 2, active: false })).toMatchObject({ maxUses: 2, active: false });
    await expect(updatePromoCode(db, organizer, code.id, { validFrom: inDays(2), validUntil: inDays(1) })).rejects.toMatchObject({
      code: "validation_failed",
    });
    const foreign = await makeEvent(db, organizer, { kind: "ticketed" });
    const foreignType = await makeTicketType(db, organizer, foreign.id);
    await expect(updatePromoCode(db, organizer, code.id, { ticketTypeIds: [foreignType.id] })).rejects.toMatchObject({
      code: "validation_failed",
    });
    expect(await updatePromoCode(db, organizer, code.id, { ticketTypeIds: [typeId, typeId] })).toMatchObject({ ticketTypeIds: [typeId] });
    const stranger = await makeActor(db, { role: "organizer" });
    await expect(updatePromoCode(db, stranger, code.id, { active: true })).rejects.toMatchObject({ code: "not_found" });
    await expect(listPromoCodes(db, stranger, eventId)).rejects.toMatchObject({ code: "not_found" });
  });
});
