// GET /orders/{id} shows the buyer's order even when its PaymentIntent cannot be finished now: the
// creation failed for good, or another process holds its task. It never answers 502 for a read.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getOrder } from "@evently/core/payments/order-lifecycle";
import { placeOrder } from "@evently/core/payments/orders";
import { disableFailpoints, enableFailpoint } from "@evently/core/shared/failpoints";
import { makeActor } from "../../support/fixtures";
import { createPaidEvent } from "../../support/paid-event";
import { startPaymentsHarness, type PaymentsHarness } from "./harness";

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness();
});
afterAll(() => h.stop());
afterEach(() => disableFailpoints());

/** A held order whose intent the request could not create (the provider call failed before it was sent). */
async function heldWithoutIntent() {
  const ev = await createPaidEvent(h.t.db, { capacity: 5 });
  const buyer = await makeActor(h.t.db);
  enableFailpoint("task.before-provider", "throw", { count: 1 });
  await expect(placeOrder(h.deps, buyer, ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 1 })).rejects.toMatchObject({
    code: "payment_provider_error",
  });
  const order = await h.t.db.selectFrom("orders").select("id").where("userId", "=", buyer.userId).executeTakeFirstOrThrow();
  return { buyer, orderId: order.id };
}

const intentTask = (orderId: string) =>
  h.t.db
    .updateTable("providerTasks")
    .where("kind", "=", "create_intent")
    .where("paymentId", "in", (eb) => eb.selectFrom("payments").select("id").where("orderId", "=", orderId));

describe("GET /orders/{id} while the intent cannot be finished", () => {
  it("a creation that failed for good: the order as stored, pending, without a client secret", async () => {
    const { buyer, orderId } = await heldWithoutIntent();
    await intentTask(orderId).set({ status: "failed", lockedUntil: null, completedAt: new Date(), outcome: "failed" }).execute();
    const read = await getOrder(h.deps, buyer, orderId);
    expect(read.order).toMatchObject({ id: orderId });
    expect(read.payment).toMatchObject({ status: "pending", providerPaymentId: null });
    expect(read.payment?.clientSecret ?? null).toBeNull();
  });

  it("another process holds the task's lease: the same, and a later read gets the intent", async () => {
    const { buyer, orderId } = await heldWithoutIntent();
    await intentTask(orderId)
      .set({ lockedUntil: new Date(Date.now() + 60_000), nextAttemptAt: new Date() })
      .execute();
    expect((await getOrder(h.deps, buyer, orderId)).payment?.clientSecret ?? null).toBeNull();
    await intentTask(orderId).set({ lockedUntil: null }).execute();
    expect((await getOrder(h.deps, buyer, orderId)).payment?.clientSecret).toEqual(expect.any(String));
  });
});
