// Fault suite, crashes and a database outage: the runtime (a child process, same code as npm start)
// is SIGKILLed at a failpoint, started again on the same database and Stripe state, and the client
// retries with the same Idempotency-Key; the database is stopped in the middle of an order. Then
// the sweeps run and the ledger invariant must hold.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFieldCipher } from "@evently/core/payments/crypto";
import type { PaymentsDeps } from "@evently/core/payments/deps";
import { runDueTasks } from "@evently/core/payments/provider-tasks";
import { stripeGateway } from "@evently/functions/lib/stripe-gateway";
import Stripe from "stripe";
import { makeActor, type TestActor } from "../../support/fixtures";
import { publishRows, type FaultRow } from "../../support/fault-report";
import { checkLedger, sandboxBooks } from "../../support/ledger";
import { eventually } from "../../support/paid-event";
import { api, startCrashWorld, type Child, type CrashWorld } from "./crash-support";
import { ticketedEvent } from "./harness";

let w: CrashWorld;
let child: Child;
let deps: PaymentsDeps;
let stripe: Stripe;
let org: TestActor;
const rows: FaultRow[] = [];

beforeAll(async () => {
  w = await startCrashWorld();
  child = await w.start();
  deps = { db: w.db, gateway: stripeGateway, cipher: createFieldCipher(process.env.DATA_KEY ?? "", process.env.BLIND_INDEX_KEY ?? ""), holdTtlSeconds: 900 };
  const base = new URL(w.sandboxUrl);
  stripe = new Stripe("sk_test_local", { host: base.hostname, port: Number(base.port), protocol: "http" });
  org = await makeActor(w.db, { role: "organizer" });
});
afterAll(async () => {
  publishRows(__filename, rows);
  await child?.stop();
  await w?.destroy();
});

const books = () => sandboxBooks(w.sandboxUrl);

/** Every event the sandbox emitted is processed (redelivered if a crash lost it), every task and refund done. */
async function settle(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await w.expireLeases();
    const swept = await runDueTasks(deps, { budgetMs: 20_000 });
    await fetch(`${w.sandboxUrl}/_sandbox/delivery/wait`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ timeoutMs: 10_000 }) });
    const { data } = (await (await fetch(`${w.sandboxUrl}/_sandbox/events`)).json()) as { data: Array<{ event: { id: string } }> };
    const missing = async () => {
      const done = new Set((await w.db.selectFrom("webhookEvents").select("providerEventId").where("status", "in", ["processed", "ignored"]).execute()).map((r) => r.providerEventId));
      return data.map((r) => r.event.id).filter((id) => !done.has(id));
    };
    const late = await eventually(async () => ((await missing()).length === 0 ? [] : undefined), 3_000).catch(() => missing());
    for (const id of late) await fetch(`${w.sandboxUrl}/_sandbox/events/${id}/redeliver`, { method: "POST" });
    const refundsPending = (await books().refunds()).some((r) => r.status === "pending");
    if (swept.succeeded + swept.retried + swept.failed === 0 && late.length === 0 && !refundsPending) return;
  }
  throw new Error("the sweeps did not come to a standstill");
}

async function conclude(row: Omit<FaultRow, "violations" | "sweepFinished">, sweepFinished = "runtime restarted; the sweeps settled everything") {
  await settle();
  const ledger = await checkLedger(w.db, deps.cipher, books());
  rows.push({ ...row, sweepFinished, violations: ledger.violations.length });
  expect(ledger.violations).toEqual([]);
}

/** Runs `trigger` on a runtime armed with `point=exit`, expects it to die there, and starts a clean one. */
async function crashAt(point: string, trigger: (apiUrl: string) => Promise<{ status: number | string }>): Promise<string> {
  await child.stop();
  child = await w.start(`${point}=exit*1`);
  const answered = await trigger(child.apiUrl);
  expect(await child.exited).toBe("SIGKILL");
  child = await w.start();
  return String(answered.status);
}

async function paidTicket(buyer: TestActor) {
  const { eventId, ticketTypeId } = await ticketedEvent(w.db, org);
  const placed = await api(child.apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 1 }, `buy-${buyer.userId}`);
  const payment = placed.body.payment as { id: string; providerPaymentId: string };
  await stripe.paymentIntents.confirm(payment.providerPaymentId, { payment_method: "pm_card_visa" });
  await eventually(async () => (await w.db.selectFrom("payments").select("status").where("id", "=", payment.id).executeTakeFirst())?.status === "completed");
  return { eventId, ticketTypeId, orderId: (placed.body.order as { id: string }).id, paymentId: payment.id };
}

describe("the runtime killed at a failpoint, then restarted", () => {
  for (const point of ["order.after-hold-commit", "task.after-provider"]) {
    it(`order: ${point}`, async () => {
      const buyer = await makeActor(w.db);
      const { eventId, ticketTypeId } = await ticketedEvent(w.db, org);
      const order = (apiUrl: string) => api(apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 2 }, `crash-${point}`);
      const first = await crashAt(point, order);
      await w.expireLeases();
      const retry = await order(child.apiUrl);
      expect([200, 201]).toContain(retry.status);
      const orders = await w.db.selectFrom("orders").select("id").where("userId", "=", buyer.userId).execute();
      expect(orders).toHaveLength(1);
      await stripe.paymentIntents.confirm((retry.body.payment as { providerPaymentId: string }).providerPaymentId, { payment_method: "pm_card_visa" });
      await conclude({ path: "order (POST /events/{id}/orders)", fault: "crash", detail: point, clientSaw: `${first}, retry after restart ${retry.status} (same order)`, faultsInjected: 1, retries: 1 });
    });
  }

  for (const point of ["refund.after-commit", "task.after-provider"]) {
    it(`organizer refund: ${point}`, async () => {
      const t = await paidTicket(await makeActor(w.db));
      const refund = (apiUrl: string) => api(apiUrl, "POST", `/payments/${t.paymentId}/refunds`, org, { amountMinor: 1000, reason: "Partial refund after a crash" }, `refund-${point}`);
      const first = await crashAt(point, refund);
      const retry = await refund(child.apiUrl);
      expect(retry.status).toBe(202);
      expect(await w.db.selectFrom("refunds").select("id").where("paymentId", "=", t.paymentId).execute()).toHaveLength(1);
      await conclude({ path: "organizer refund", fault: "crash", detail: point, clientSaw: `${first}, retry after restart ${retry.status} (same refund)`, faultsInjected: 1, retries: 1 });
    });
  }

  it("buyer cancel: cancel.after-commit", async () => {
    const buyer = await makeActor(w.db);
    const t = await paidTicket(buyer);
    const first = await crashAt("cancel.after-commit", (apiUrl) => api(apiUrl, "POST", `/orders/${t.orderId}/cancel`, buyer, {}));
    const retry = await api(child.apiUrl, "POST", `/orders/${t.orderId}/cancel`, buyer, {});
    expect(retry.status).toBe(409);
    await conclude({ path: "buyer cancel", fault: "crash", detail: "cancel.after-commit", clientSaw: `${first}, retry ${retry.status} (already cancelled)`, faultsInjected: 1, retries: 1 });
  });

  it("event cancel: event-cancel.after-commit", async () => {
    const t = await paidTicket(await makeActor(w.db));
    const first = await crashAt("event-cancel.after-commit", (apiUrl) => api(apiUrl, "POST", `/events/${t.eventId}/cancel`, org, { reason: "Venue flooded" }));
    await conclude({ path: "event cancel", fault: "crash", detail: "event-cancel.after-commit", clientSaw: `${first}; the event is cancelled`, faultsInjected: 1, retries: 0 });
  });

  it("hold expiry: expire-holds.after-commit", async () => {
    const buyer = await makeActor(w.db);
    const { eventId, ticketTypeId } = await ticketedEvent(w.db, org);
    await api(child.apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 1 }, "hold-crash");
    await w.db.updateTable("participations").set({ holdExpiresAt: new Date(Date.now() - 60_000) }).where("eventId", "=", eventId).execute();
    const first = await crashAt("expire-holds.after-commit", async (apiUrl) => {
      expect(apiUrl).toMatch(/^http/);
      return { status: (await child.expireHolds()).error ?? "finished" };
    });
    await conclude({ path: "hold expiry", fault: "crash", detail: "expire-holds.after-commit", clientSaw: `job: ${first}`, faultsInjected: 1, retries: 0 });
  });

  it("payment success webhook: webhook.after-commit", async () => {
    const buyer = await makeActor(w.db);
    const { eventId, ticketTypeId } = await ticketedEvent(w.db, org);
    const placed = await api(child.apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 1 }, "webhook-crash");
    const intentId = (placed.body.payment as { providerPaymentId: string }).providerPaymentId;
    await crashAt("webhook.after-commit", async () => {
      await stripe.paymentIntents.confirm(intentId, { payment_method: "pm_card_visa" });
      return { status: "webhook acknowledged" };
    });
    await conclude({ path: "payment success webhook", fault: "crash", detail: "webhook.after-commit", clientSaw: "provider redelivers to the restarted runtime", faultsInjected: 1, retries: 1 }, "the same process served again; the sweeps settled everything");
  });
});

describe("the database stopped in the middle of an order", () => {
  it("the request answers 503; once it is back the retry finishes the same order", async () => {
    const buyer = await makeActor(w.db);
    const { eventId, ticketTypeId } = await ticketedEvent(w.db, org);
    await child.stop();
    child = await w.start("order.after-hold-commit=delay(1500)*1");
    const order = () => api(child.apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 1 }, "db-down");
    const pending = order();
    await eventually(async () => (await w.db.selectFrom("orders").select("id").where("userId", "=", buyer.userId).executeTakeFirst()) !== undefined, 5_000, 20);
    await w.stopDatabase();
    const first = await pending;
    expect(first.status).toBe(503);
    await w.startDatabase();
    await w.expireLeases();
    const retry = await eventually(async () => {
      const r = await order();
      return r.status === 201 || r.status === 200 ? r : undefined;
    }, 15_000, 200);
    expect(await w.db.selectFrom("orders").select("id").where("userId", "=", buyer.userId).execute()).toHaveLength(1);
    await stripe.paymentIntents.confirm((retry.body.payment as { providerPaymentId: string }).providerPaymentId, { payment_method: "pm_card_visa" });
    await conclude({ path: "order (POST /events/{id}/orders)", fault: "db-down", detail: "database stopped after the hold commit", clientSaw: `${first.status}, retry ${retry.status} once the database is back (same order)`, faultsInjected: 1, retries: 1 }, "the same process served again; the sweeps settled everything");
  });
});
