// Webhooks in batches: the real SQS consumer mechanics over processStripeBatch with the real
// Stripe sandbox and Postgres — a poisoned event fails alone, duplicates inside and across
// batches apply once, a batch finds its payments in one statement, events of one payment apply
// in the order the provider made them, and a
// fault inside the batch's transaction still applies each event exactly once. Each scenario ends
// with the sweeps and the ledger invariant.
import type { SQSEvent } from "aws-lambda";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { placeOrder } from "@evently/core/payments/orders";
import { enableFailpoint } from "@evently/core/shared/failpoints";
import { processStripeBatch, type ProviderEvent } from "@evently/core/webhooks";
import { createProcessor } from "@evently/functions/queue/webhook-batch";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { toSqsRecord } from "@evently/local/queue/sqs-records";
import { makeActor, type TestActor } from "../../support/fixtures";
import { publishRows } from "../../support/fault-report";
import { startFaultHarness, ticketedEvent, type FaultHarness } from "../faults/harness";

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

/** Delivers events as one SQS batch to the consumer; returns the ids of the events it reported failed. */
async function deliver(events: readonly ProviderEvent[]): Promise<string[]> {
  const consumer = createProcessor((batch) => processStripeBatch(h.deps, batch));
  const records = events.map((event, i) =>
    toSqsRecord(
      {
        data: { id: `m${i}-${event.id}`, body: JSON.stringify(event), attributes: {}, sentAt: Date.now() },
        receiveCount: 1,
        firstReceivedAt: Date.now(),
      },
      "stripe-webhooks",
      "eu-west-1",
    ),
  );
  const response = await consumer({ Records: records } satisfies SQSEvent, lambdaContext("webhook-processor"));
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  return records.filter((r) => failed.has(r.messageId)).map((r) => (JSON.parse(r.body) as ProviderEvent).id);
}

/** Orders placed for `n` buyers on one event, each intent confirmed at the sandbox with `card`. */
async function paidAtProvider(n: number, card = "pm_card_visa") {
  const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org, { capacity: n + 1 });
  const placed = [];
  for (let i = 0; i < n; i++) {
    const buyer = await makeActor(h.t.db);
    const { result } = await placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1 });
    await h.stripe.paymentIntents.confirm(result.payment!.providerPaymentId!, { payment_method: card }).catch(() => undefined);
    placed.push({ paymentId: result.payment!.id, intentId: result.payment!.providerPaymentId! });
  }
  return placed;
}

const eventFor = (type: string, intentId: string) => {
  const found = h.pending([type]).find((e) => e.data.object.id === intentId);
  if (!found) throw new Error(`no ${type} event for ${intentId}`);
  return found;
};

async function paymentRows(paymentIds: readonly string[]) {
  const payments = await h.t.db.selectFrom("payments").select(["id", "status"]).where("id", "in", paymentIds).execute();
  const txs = await h.t.db
    .selectFrom("paymentTransactions")
    .select("paymentId")
    .where("paymentId", "in", paymentIds)
    .where("type", "=", "payment")
    .execute();
  return paymentIds.map((id) => ({
    status: payments.find((p) => p.id === id)?.status,
    paymentTransactions: txs.filter((t) => t.paymentId === id).length,
  }));
}

describe("a batch of webhook events", () => {
  it("one poisoned event in a batch of ten fails alone; the other nine apply", async () => {
    const paid = await paidAtProvider(10);
    const events = paid.map((p) => eventFor("payment_intent.succeeded", p.intentId));
    // The poison: its payment's intent id is not stored yet (the after-commit write lost the race),
    // so the event cannot be verified and must be retried, not applied or dropped.
    const poisoned = paid[4]!;
    const stored = await h.t.db
      .selectFrom("payments")
      .select("providerPaymentIdHash")
      .where("id", "=", poisoned.paymentId)
      .executeTakeFirstOrThrow();
    await h.t.db.updateTable("payments").set({ providerPaymentIdHash: null }).where("id", "=", poisoned.paymentId).execute();

    expect(await deliver(events)).toEqual([events[4]!.id]);
    const rows = await paymentRows(paid.map((p) => p.paymentId));
    expect(rows.filter((_, i) => i !== 4)).toEqual(Array(9).fill({ status: "completed", paymentTransactions: 1 }));
    expect(rows[4]).toEqual({ status: "pending", paymentTransactions: 0 });
    const inbox = await h.t.db
      .selectFrom("webhookEvents")
      .select(["status", "error"])
      .where("providerEventId", "=", events[4]!.id)
      .executeTakeFirstOrThrow();
    expect(inbox).toEqual({ status: "failed", error: expect.stringMatching(/no stored intent yet/) });

    // The sweep stores the intent; the redelivered batch applies the poisoned event and nothing twice.
    await h.t.db.updateTable("payments").set(stored).where("id", "=", poisoned.paymentId).execute();
    expect(await deliver(events)).toEqual([]);
    expect(await paymentRows(paid.map((p) => p.paymentId))).toEqual(Array(10).fill({ status: "completed", paymentTransactions: 1 }));
    await h.conclude({
      path: "payment success webhook",
      fault: "throw",
      detail: "one event of a batch of ten cannot be verified yet",
      clientSaw: "batchItemFailures names only it; the redelivery applies it",
      faultsInjected: 1,
      retries: 1,
    });
  });

  it("finds the payments of a batch's intents with one statement, not one per event", async () => {
    const paid = await paidAtProvider(5);
    const events = paid.map((p) => eventFor("payment_intent.succeeded", p.intentId));
    const texts: string[] = [];
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const query = proto.query;
    const spy = vi.spyOn(proto, "query").mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const config = args[0];
      texts.push(typeof config === "string" ? config : ((config as { text?: string } | null)?.text ?? ""));
      return query.apply(this, args);
    });
    try {
      expect(await deliver(events)).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    const lookups = texts.filter((t) => t.includes('"provider_payment_id_hash"'));
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatch(/"provider_payment_id_hash" in \(/);
    expect(await paymentRows(paid.map((p) => p.paymentId))).toEqual(Array(5).fill({ status: "completed", paymentTransactions: 1 }));
  });

  it("duplicates inside one batch and across concurrent batches apply once", async () => {
    const paid = await paidAtProvider(3);
    const [a, b, c] = paid.map((p) => eventFor("payment_intent.succeeded", p.intentId));
    expect(await deliver([a!, a!, b!, a!])).toEqual([]);
    // Two batches at once that share events: one claims each, the other finds it done.
    const again = await Promise.all([deliver([b!, c!, a!]), deliver([c!, a!, b!, c!])]);
    expect(again).toEqual([[], []]);
    expect(await paymentRows(paid.map((p) => p.paymentId))).toEqual(Array(3).fill({ status: "completed", paymentTransactions: 1 }));
    const audit = await h.t.db
      .selectFrom("paymentAuditLog")
      .select("paymentId")
      .where(
        "paymentId",
        "in",
        paid.map((p) => p.paymentId),
      )
      .where("actionType", "=", "PaymentCompleted")
      .execute();
    expect(audit).toHaveLength(3);
    const inbox = await h.t.db
      .selectFrom("webhookEvents")
      .select(["status", "attempts"])
      .where("providerEventId", "in", [a!.id, b!.id, c!.id])
      .execute();
    expect(inbox).toEqual(Array(3).fill({ status: "processed", attempts: 1 }));
    await h.conclude({
      path: "payment success webhook",
      fault: "retry",
      detail: "redelivered in the same batch and in two concurrent batches",
      clientSaw: "every copy acknowledged",
      faultsInjected: 0,
      retries: 5,
    });
  });

  it("events of one payment delivered out of order in one batch apply in the order the provider made them", async () => {
    const [declined] = await paidAtProvider(1, "pm_card_chargeDeclined");
    await h.stripe.paymentIntents.cancel(declined!.intentId);
    const failed = eventFor("payment_intent.payment_failed", declined!.intentId);
    const canceled = eventFor("payment_intent.canceled", declined!.intentId);
    // A second apart, as the provider stamps two changes made a moment apart; delivered newest first.
    expect(await deliver([{ ...canceled, created: failed.created + 1 }, failed])).toEqual([]);

    // In delivery order the cancellation would have made the failure stale and left no trace of it.
    const failures = await h.t.db
      .selectFrom("paymentFailures")
      .select("failureCode")
      .where("paymentId", "=", declined!.paymentId)
      .execute();
    expect(failures).toHaveLength(1);
    // The trail says so: pending → failed, then failed → cancelled.
    const trail = await h.t.db
      .selectFrom("paymentAuditLog")
      .select(["actionType", "oldValues", "newValues"])
      .where("paymentId", "=", declined!.paymentId)
      .where("actionType", "in", ["PaymentFailed", "StatusChanged"])
      .execute();
    expect(trail.map((t) => [t.actionType, t.oldValues?.status, t.newValues?.status]).sort()).toEqual([
      ["PaymentFailed", "pending", "failed"],
      ["StatusChanged", "failed", "cancelled"],
    ]);
    expect(await paymentRows([declined!.paymentId])).toEqual([{ status: "cancelled", paymentTransactions: 0 }]);
    await h.conclude({
      path: "payment failure webhook",
      fault: "retry",
      detail: "failure and cancellation delivered out of order in one batch",
      clientSaw: "both acknowledged; applied in provider order",
      faultsInjected: 0,
      retries: 0,
    });
  });

  it("a fault between the batch's claim and its commit rolls the batch back; each event then applies once on its own", async () => {
    const paid = await paidAtProvider(4);
    const events = paid.map((p) => eventFor("payment_intent.succeeded", p.intentId));
    enableFailpoint("webhook.batch-before-commit", "throw", { count: 1 });
    expect(await deliver(events)).toEqual([]);
    expect(await paymentRows(paid.map((p) => p.paymentId))).toEqual(Array(4).fill({ status: "completed", paymentTransactions: 1 }));
    expect(await deliver(events)).toEqual([]);
    expect(await paymentRows(paid.map((p) => p.paymentId))).toEqual(Array(4).fill({ status: "completed", paymentTransactions: 1 }));
    await h.conclude({
      path: "payment success webhook",
      fault: "throw",
      detail: "webhook.batch-before-commit",
      clientSaw: "the batch is acknowledged; the redelivery is a no-op",
      faultsInjected: 1,
      retries: 1,
    });
  });
});
