// Fault suite, buying: placing an order, the payment webhooks, a late payment after expiry and a
// waitlist promotion to a hold, each under failpoints, a slow or absent Stripe and client retries;
// every scenario ends with the sweeps and the ledger invariant (harness.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { placeOrder } from "@evently/core/payments/orders";
import { cancelOrder, getOrder } from "@evently/core/payments/order-lifecycle";
import { withDeadline } from "@evently/core/shared/deadline";
import { enableFailpoint } from "@evently/core/shared/failpoints";
import { makeActor, type TestActor } from "../../support/fixtures";
import { publishRows } from "../../support/fault-report";
import { checkLedger } from "../../support/ledger";
import { paidOrder } from "../payments/harness";
import { answered, keyFor, outcome, startFaultHarness, ticketedEvent, type FaultHarness } from "./harness";

let h: FaultHarness;
let org: TestActor;

beforeAll(async () => {
  h = await startFaultHarness();
  org = await makeActor(h.t.db, { role: "organizer" });
});
afterAll(async () => {
  publishRows(__filename, h.rows);
  await h.stop();
});

const ORDER = "order (POST /events/{id}/orders)";
const orderCount = async (userId: string) => (await h.t.db.selectFrom("orders").select("id").where("userId", "=", userId).execute()).length;

async function pay(intentId: string, card = "pm_card_visa") {
  await h.stripe.paymentIntents.confirm(intentId, { payment_method: card }).catch(() => undefined);
}

describe("order", () => {
  for (const point of [
    "order.after-hold-commit",
    "task.before-provider",
    "task.after-provider",
    "task.after-record",
    "order.before-response",
  ]) {
    it(`${point} throws: the retry with the same key finishes the same order`, async () => {
      const buyer = await makeActor(h.t.db);
      const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org);
      const key = keyFor(buyer, "orders:create", `k-${point}`);
      enableFailpoint(point, "throw", { count: 1 });
      const first = await outcome(() => placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 2 }, {}, key));
      expect(first.error).toBeDefined();
      const retry = await placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 2 }, {}, key);
      expect(retry.result.payment?.providerPaymentId).toMatch(/^pi_/);
      expect(await orderCount(buyer.userId)).toBe(1);
      await pay(retry.result.payment!.providerPaymentId!);
      await h.conclude({
        path: ORDER,
        fault: "throw",
        detail: point,
        clientSaw: `${first.saw}, retry ${retry.status} with the same order`,
        faultsInjected: 1,
        retries: 1,
      });
    });
  }

  it("Stripe slower than the budget: 503 inside the limit, the retry finishes the same order", async () => {
    const buyer = await makeActor(h.t.db);
    const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org);
    const key = keyFor(buyer, "orders:create", "k-slow");
    h.sandbox.faults.inject({ endpoint: "POST /v1/payment_intents", kind: "timeout", count: 1 });
    const started = Date.now();
    const first = await outcome(() =>
      withDeadline(Date.now() + 2_000, () => placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1 }, {}, key)),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(first.saw).toMatch(/^50[23] /);
    h.sandbox.faults.clear();
    const retry = await placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1 }, {}, key);
    expect(retry.result.payment?.providerPaymentId).toMatch(/^pi_/);
    expect(await orderCount(buyer.userId)).toBe(1);
    await pay(retry.result.payment!.providerPaymentId!);
    await h.conclude({
      path: ORDER,
      fault: "slow",
      detail: "POST /v1/payment_intents timeout, 2 s budget",
      clientSaw: `${first.saw} within the budget, retry ${retry.status}`,
      faultsInjected: 1,
      retries: 1,
    });
  });

  it("Stripe down: 502, the sweep creates the intent, the retry answers the same order", async () => {
    const buyer = await makeActor(h.t.db);
    const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org);
    const key = keyFor(buyer, "orders:create", "k-down");
    h.sandbox.faults.inject({ endpoint: "POST /v1/payment_intents", kind: "error", status: 503, count: 3 });
    const first = await outcome(() => placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1 }, {}, key));
    expect(first.saw).toBe("502 payment_provider_error");
    const swept = await h.settle();
    const retry = await placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1 }, {}, key);
    expect(retry.replayed).toBe(true);
    expect(await orderCount(buyer.userId)).toBe(1);
    await pay(retry.result.payment!.providerPaymentId!);
    await h.conclude({
      path: ORDER,
      fault: "down",
      detail: "POST /v1/payment_intents error 503 ×3",
      clientSaw: `${first.saw}, retry after the sweep (${swept}) ${retry.status}`,
      faultsInjected: 1,
      retries: 1,
    });
  });

  it("concurrent duplicates with one key: exactly one hold and order", async () => {
    const buyer = await makeActor(h.t.db);
    const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org);
    const key = keyFor(buyer, "orders:create", "k-dup", 30);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => outcome(() => placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1 }, {}, key))),
    );
    const ids = new Set(answers.flatMap((a) => (a.value ? [a.value.result.order?.id] : [])));
    expect(ids.size).toBe(1);
    for (const a of answers) if (a.error) expect(answered(a.error)).toBe("409 idempotency_key_in_progress");
    expect(await orderCount(buyer.userId)).toBe(1);
    const order = await getOrder(h.deps, buyer, [...ids][0]!);
    await pay(order.payment!.providerPaymentId!);
    const saw = [...new Set(answers.map((a) => (a.value ? `${a.value.status}` : a.saw)))].sort().join(" / ");
    await h.conclude({
      path: ORDER,
      fault: "retry",
      detail: "5 concurrent requests, one key",
      clientSaw: `${saw}, one order`,
      faultsInjected: 0,
      retries: 4,
    });
  });
});

describe("payment webhooks", () => {
  for (const [path, card] of [
    ["payment success webhook", "pm_card_visa"],
    ["payment failure webhook", "pm_card_chargeDeclined"],
  ] as const) {
    it(`${path}: webhook.after-commit throws; the redelivery is a no-op and nothing is lost`, async () => {
      const buyer = await makeActor(h.t.db);
      const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org);
      const placed = await placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1 });
      await pay(placed.result.payment!.providerPaymentId!, card);
      const events = h.pending(["payment_intent.succeeded", "payment_intent.payment_failed"]);
      enableFailpoint("webhook.after-commit", "throw", { count: 1 });
      await expect(h.drain(events)).rejects.toThrow(/failpoint/);
      const again = await h.drain(events);
      expect(again[0]?.outcome).toMatch(/^duplicate/);
      // A failed payment keeps its hold until expiry; the buyer gives up and cancels.
      if (card !== "pm_card_visa") await cancelOrder(h.deps, buyer, placed.result.order!.id);
      await h.conclude({
        path,
        fault: "throw",
        detail: "webhook.after-commit",
        clientSaw: "provider redelivers; the redelivery answers duplicate",
        faultsInjected: 1,
        retries: 1,
      });
    });
  }
});

describe("late payment after expiry", () => {
  it("the buyer pays after the hold expired and the seat was resold: settle.after-commit throws, the sweep refunds once", async () => {
    const [late, other] = await Promise.all([makeActor(h.t.db), makeActor(h.t.db)]);
    const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org, { capacity: 1 });
    const placed = await placeOrder(h.deps, late, eventId, { ticketTypeId, quantity: 1 });
    await h.t.db
      .updateTable("participations")
      .set({ holdExpiresAt: new Date(Date.now() - 60_000) })
      .where("id", "=", placed.result.participation.id)
      .execute();
    // The expiry commits but dies before cancelling the intent, so the buyer can still pay it.
    enableFailpoint("expire-holds.after-commit", "throw", { count: 1 });
    await expect(expireHolds(h.deps, { batchSize: 10 })).rejects.toThrow(/failpoint/);
    const resold = await placeOrder(h.deps, other, eventId, { ticketTypeId, quantity: 1 });
    await pay(resold.result.payment!.providerPaymentId!);
    await h.drain();
    await pay(placed.result.payment!.providerPaymentId!);
    enableFailpoint("settle.after-commit", "throw", { count: 1 });
    await expect(h.drain(h.pending(["payment_intent.succeeded"]))).rejects.toThrow(/failpoint/);
    await h.conclude({
      path: "late payment after expiry",
      fault: "throw",
      detail: "expire-holds.after-commit, settle.after-commit",
      clientSaw: "the late payment is captured, then refunded in full automatically",
      faultsInjected: 2,
      retries: 0,
    });
    const refunds = await h.t.db.selectFrom("refunds").select("status").where("paymentId", "=", placed.result.payment!.id).execute();
    expect(refunds).toEqual([{ status: "completed" }]);
  });
});

describe("waitlist promotion to a hold", () => {
  it("task.before-provider throws on the promoted hold's intent; the sweep creates it and the buyer pays", async () => {
    const [first, waiting] = await Promise.all([makeActor(h.t.db), makeActor(h.t.db)]);
    const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org, { capacity: 1, waitlistEnabled: true });
    const held = await placeOrder(h.deps, first, eventId, { ticketTypeId, quantity: 1 });
    const queued = await placeOrder(h.deps, waiting, eventId, { ticketTypeId, quantity: 1 });
    expect(queued.result.participation.status).toBe("waitlisted");
    enableFailpoint("task.before-provider", "throw");
    await cancelOrder(h.deps, first, held.result.order!.id);
    await h.settle();
    const promoted = await h.t.db.selectFrom("orders").select("id").where("userId", "=", waiting.userId).executeTakeFirstOrThrow();
    const order = await getOrder(h.deps, waiting, promoted.id);
    await pay(order.payment!.providerPaymentId!);
    await h.conclude({
      path: "waitlist promotion to a hold",
      fault: "throw",
      detail: "task.before-provider",
      clientSaw: "cancel 200; promoted buyer's GET /orders/{id} has a working intent",
      faultsInjected: 1,
      retries: 0,
    });
  });
});

describe("the ledger check itself", () => {
  it("reports rows that disagree with the provider, a ticket without its money and a wrong seat counter", async () => {
    const buyer = await makeActor(h.t.db);
    const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org);
    const paid = await paidOrder(h, buyer, eventId, ticketTypeId);
    await h.t.db.updateTable("payments").set({ status: "failed" }).where("id", "=", paid.paymentId).execute();
    await h.t.db.updateTable("events").set({ seatsTaken: 3 }).where("id", "=", eventId).execute();
    const { violations } = await checkLedger(h.t.db, h.deps.cipher, h.books);
    expect(violations).toEqual([
      `payment ${paid.paymentId}: provider captured 2500, our payment says 0 (failed)`,
      `participation ${paid.participationId} is active without a completed payment`,
      `event ${eventId}: seats_taken 3, pending+active quantities 1`,
    ]);
    await h.t.db.updateTable("payments").set({ status: "completed" }).where("id", "=", paid.paymentId).execute();
    await h.t.db.updateTable("events").set({ seatsTaken: 1 }).where("id", "=", eventId).execute();
    expect((await checkLedger(h.t.db, h.deps.cipher, h.books)).violations).toEqual([]);
  });
});
