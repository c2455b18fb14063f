// Every webhook type we act on, delivered three times, in reverse order, and with the processor
// "crashing" after its database commit but before the acknowledgement: exactly one effect each.
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Actor } from "@evently/core/auth/actor";
import type { PaymentsDeps } from "@evently/core/payments/deps";
import { createOrder } from "@evently/core/payments/orders";
import { requestRefund } from "@evently/core/payments/refunds";
import { setDb } from "@evently/functions/lib/db";
import { paymentsDeps } from "@evently/functions/lib/deps";
import { createProcessor, defaultBatchHandler } from "@evently/functions/queue/webhook-processor";
import { startLocalQueue, type LocalQueue } from "@evently/local/queue/local-queue";
import { startStripeSandbox, type StripeSandbox } from "@evently/stripe-sandbox";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { createPaidEvent } from "../../support/paid-event";

let t: TestDatabase;
let sandbox: StripeSandbox;
let stripe: Stripe;
let deps: PaymentsDeps;
let queue: LocalQueue;
const crashed = new Set<string>();

beforeAll(async () => {
  t = await createTestDatabase();
  setDb(t.db);
  sandbox = await startStripeSandbox({ webhookSecret: "whsec_test" }); // no URL: we deliver ourselves
  process.env.STRIPE_API_BASE = sandbox.url;
  const base = new URL(sandbox.url);
  stripe = new Stripe("sk_test_crash", { host: base.hostname, port: Number(base.port), protocol: "http" });
  deps = await paymentsDeps();
  // The first receive of each event commits its effect, then dies before acknowledging it.
  const consumer = createProcessor(async (events, records) => {
    const results = await defaultBatchHandler(events, records);
    return results.map((result, i) => {
      const id = events[i]!.id;
      if (crashed.has(id)) return result;
      crashed.add(id);
      return { ok: false, error: new Error("processor crashed after commit, before ack") };
    });
  });
  queue = await startLocalQueue({
    databaseUrl: t.url,
    name: "crash-test",
    consumer,
    backoff: { delaySeconds: 0, exponential: false },
    pollIntervalMs: 50,
  });
});
afterAll(async () => {
  await queue.stop();
  await sandbox.stop();
  await t.destroy();
});

async function actor(sub: string, roles: Actor["roles"] = ["member"]): Promise<Actor> {
  const u = await t.db
    .insertInto("users")
    .values({ externalId: sub, roles: [...roles] })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { sub, email: null, roles, userId: u.id };
}

/** Sends each event three times, newest first, and waits for the queue to drain. */
async function deliver(events: { id: string }[]) {
  for (const event of [...events].reverse()) for (let i = 0; i < 3; i++) await queue.queue.send({ body: JSON.stringify(event) });
  await queue.idle({ timeoutMs: 30_000 });
  expect(await queue.deadLetters()).toEqual([]);
}

const count = async (table: string, where: string, id: string) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(where)} = ${id}`.execute(t.db)).rows[0]!.n;

it("payment, failure, cancellation, refund and dispute events each take effect once", async () => {
  const event = await createPaidEvent(t.db, { capacity: 5, priceMinor: 4000 });
  const [paid, declined, abandoned] = await Promise.all(["p", "d", "a"].map((s) => actor(`${s}-${randomUUID()}`)));
  const order = (a: Actor) => createOrder(deps, a, event.eventId, { ticketTypeId: event.ticketTypeId, quantity: 1 });
  const [o1, o2, o3] = [await order(paid!), await order(declined!), await order(abandoned!)];
  await stripe.paymentIntents.confirm(o1.payment!.providerPaymentId!, { payment_method: "pm_card_visa" });
  await stripe.paymentIntents.confirm(o2.payment!.providerPaymentId!, { payment_method: "pm_card_chargeDeclined" }).catch(() => undefined);
  await stripe.paymentIntents.cancel(o3.payment!.providerPaymentId!);
  await deliver(sandbox.events().map((r) => r.event));

  expect(await count("payment_transactions", "payment_id", o1.payment!.id)).toBe(1);
  expect(await count("payment_failures", "payment_id", o2.payment!.id)).toBe(1);
  const statuses = await t.db
    .selectFrom("payments")
    .select(["id", "status"])
    .where("id", "in", [o1.payment!.id, o2.payment!.id, o3.payment!.id])
    .execute();
  expect(Object.fromEntries(statuses.map((p) => [p.id, p.status]))).toEqual({
    [o1.payment!.id]: "completed",
    [o2.payment!.id]: "failed",
    [o3.payment!.id]: "cancelled",
  });

  // Refund half, then a dispute on the same charge.
  const seen = new Set(sandbox.events().map((r) => r.event.id));
  const organizer: Actor = { sub: event.organizerSub, email: null, roles: ["member", "organizer"], userId: event.organizerId };
  const refund = await requestRefund(deps, organizer, o1.payment!.id, { amountMinor: 2000, reason: "Half refund for a test" });
  await sandbox.waitForDeliveries().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300)); // the sandbox completes refunds after ~100 ms
  sandbox.triggerDispute(o1.payment!.providerPaymentId!);
  const later = sandbox
    .events()
    .map((r) => r.event)
    .filter((e) => !seen.has(e.id));
  expect(later.map((e) => e.type)).toEqual(expect.arrayContaining(["refund.updated", "charge.refunded", "charge.dispute.created"]));
  await deliver(later);

  const payment = await t.db
    .selectFrom("payments")
    .select(["status", "refundedMinor"])
    .where("id", "=", o1.payment!.id)
    .executeTakeFirstOrThrow();
  expect(payment).toEqual({ status: "partially_refunded", refundedMinor: 2000 });
  const ledger = await t.db
    .selectFrom("paymentTransactions")
    .select(["type", "amountMinor"])
    .where("paymentId", "=", o1.payment!.id)
    .orderBy("createdAt")
    .execute();
  expect(ledger.map((l) => l.type).sort()).toEqual(["chargeback", "payment", "refund"]);
  expect((await t.db.selectFrom("refunds").select("status").where("id", "=", refund.id).executeTakeFirstOrThrow()).status).toBe(
    "completed",
  );
  const audit = await t.db.selectFrom("paymentAuditLog").select("actionType").where("paymentId", "=", o1.payment!.id).execute();
  expect(audit.filter((a) => a.actionType === "PaymentCompleted")).toHaveLength(1);
  expect(audit.filter((a) => a.actionType === "RefundCompleted")).toHaveLength(1);
  // Every event was processed once and then seen as a duplicate; none is left failed.
  const inbox = await t.db.selectFrom("webhookEvents").select(["status", "attempts"]).execute();
  expect(inbox.every((e) => e.status !== "failed")).toBe(true);
  expect(crashed.size).toBe(inbox.length);
});
