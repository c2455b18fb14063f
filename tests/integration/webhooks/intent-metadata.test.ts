// `metadata.paymentId` on a PaymentIntent is only a hint: an intent created elsewhere on the account
// (or a forged event body) must never settle a payment whose stored intent is another one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrder } from "@evently/core/payments/orders";
import { processStripeEvent, type ProviderEvent } from "@evently/core/webhooks";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { startPaymentsHarness, type PaymentsHarness } from "../payments/harness";

let h: PaymentsHarness;
let org: TestActor;
let eventId: string;
let ticketTypeId: string;

beforeAll(async () => {
  h = await startPaymentsHarness();
  org = await makeActor(h.t.db, { role: "organizer" });
  const event = await makeEvent(h.t.db, org, { kind: "ticketed", capacity: 50, startsAt: inDays(20) });
  eventId = event.id;
  ticketTypeId = (await makeTicketType(h.t.db, org, eventId, { priceMinor: 2500 })).id;
});
afterAll(() => h.stop());

/** A pending order with its intent stored, as the API leaves it. */
async function pendingOrder() {
  const result = await createOrder(h.deps, await makeActor(h.t.db), eventId, { ticketTypeId, quantity: 1 });
  if (!result.payment?.providerPaymentId) throw new Error("no payment");
  return { paymentId: result.payment.id, participationId: result.participation.id, intentId: result.payment.providerPaymentId };
}

const statusOf = async (paymentId: string) =>
  (await h.t.db.selectFrom("payments").select("status").where("id", "=", paymentId).executeTakeFirstOrThrow()).status;
const inboxStatus = async (eventId: string) =>
  (await h.t.db.selectFrom("webhookEvents").select("status").where("providerEventId", "=", eventId).executeTakeFirst())?.status;

/** The sandbox's succeeded event for `intentId`, with metadata replaced as a forger would. */
async function succeededEvent(intentId: string, metadata?: Record<string, string>): Promise<ProviderEvent> {
  await h.stripe.paymentIntents.confirm(intentId, { payment_method: "pm_card_visa" });
  const event = h.pending(["payment_intent.succeeded"]).find((e) => e.data.object.id === intentId);
  if (!event) throw new Error(`no succeeded event for ${intentId}`);
  const copy = structuredClone(event);
  if (metadata) copy.data.object.metadata = metadata;
  return copy;
}

describe("payment_intent.succeeded with untrusted metadata", () => {
  it("an intent made outside the product that names our payment settles nothing", async () => {
    const victim = await pendingOrder();
    const foreign = await h.stripe.paymentIntents.create({ amount: 50, currency: "usd", metadata: { paymentId: victim.paymentId } });
    const event = await succeededEvent(foreign.id);

    const { outcome } = await h.drain([event]).then(([r]) => r!);
    expect(outcome).toBe("ignored: no payment for this intent");
    expect(await statusOf(victim.paymentId)).toBe("pending");
    expect(
      (await h.t.db.selectFrom("participations").select("status").where("id", "=", victim.participationId).executeTakeFirstOrThrow())
        .status,
    ).toBe("pending");
  });

  it("a real intent whose metadata names another payment settles the intent's own payment only", async () => {
    const [mine, other] = [await pendingOrder(), await pendingOrder()];
    const event = await succeededEvent(mine.intentId, { paymentId: other.paymentId });

    await h.drain([event]);
    expect(await statusOf(mine.paymentId)).toBe("completed");
    expect(await statusOf(other.paymentId)).toBe("pending");
  });

  it("metadata that is not a uuid is ignored and the intent id decides", async () => {
    const mine = await pendingOrder();
    const event = await succeededEvent(mine.intentId, { paymentId: "x' OR '1'='1" });

    await h.drain([event]);
    expect(await statusOf(mine.paymentId)).toBe("completed");
  });

  it("naming a payment whose intent is not stored yet is retried (rejected, recorded as failed), not applied", async () => {
    const unverified = await pendingOrder();
    // As after a crash between the provider call and storing its id.
    await h.t.db
      .updateTable("payments")
      .set({ providerPaymentIdEnc: null, providerPaymentIdHash: null })
      .where("id", "=", unverified.paymentId)
      .execute();
    const foreign = await h.stripe.paymentIntents.create({ amount: 2500, currency: "usd", metadata: { paymentId: unverified.paymentId } });
    const event = await succeededEvent(foreign.id);

    await expect(processStripeEvent(h.deps, event)).rejects.toThrow(/has no stored intent yet/);
    expect(await statusOf(unverified.paymentId)).toBe("pending");
    // "failed" lets the redelivery claim it again; only "processed" would make it a duplicate.
    expect(await inboxStatus(event.id)).toBe("failed");

    // Once the intent that really belongs to the payment is stored, the forged one still settles nothing.
    await h.t.db
      .updateTable("payments")
      .set({ providerPaymentIdHash: h.deps.cipher.blindIndex(unverified.intentId) })
      .where("id", "=", unverified.paymentId)
      .execute();
    expect((await processStripeEvent(h.deps, event)).outcome).toBe("ignored: no payment for this intent");
    expect(await statusOf(unverified.paymentId)).toBe("pending");
  });
});

describe("payment_intent.succeeded for another amount or currency", () => {
  it.each([
    ["amount", { amount: 1, amount_received: 1 }],
    ["currency", { currency: "eur" }],
  ])("a success whose %s differs from our payment settles nothing and is flagged for review", async (_what, change) => {
    const order = await pendingOrder();
    const event = await succeededEvent(order.intentId);
    Object.assign(event.data.object, change);

    const { outcome } = await h.drain([event]).then(([r]) => r!);
    expect(outcome).toBe("flagged: amount or currency differs from the payment, left for review");
    expect(await statusOf(order.paymentId)).toBe("pending");
    const audit = await h.t.db
      .selectFrom("paymentAuditLog")
      .select("actionDescription")
      .where("paymentId", "=", order.paymentId)
      .where("actionType", "=", "SystemAction")
      .execute();
    expect(audit.map((a) => a.actionDescription)).toContain(
      "The provider reports a success for another amount or currency; left for review",
    );
  });
});
