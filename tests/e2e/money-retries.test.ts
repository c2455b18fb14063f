// Issue 9's defects over HTTP, each with the fault that used to break it: an order whose
// PaymentIntent could not be created, a retried refund, a buyer ordering again while holding seats,
// a total the provider cannot charge, a cancellation whose refund the provider refuses for a while.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runDueTasks } from "@evently/core/payments/provider-tasks";
import { paymentsDeps } from "@evently/functions/lib/deps";
import { createPaidEvent, type PaidEvent } from "../support/paid-event";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
beforeAll(async () => (rt = await startTestRuntime()));
afterAll(() => rt.stop());
afterEach(() => rt.stripeSandbox!.faults.clear());

interface OrderBody {
  order: { id: string } | null;
  participation: { id: string; status: string };
  payment: { id: string; providerPaymentId: string | null; clientSecret?: string | null } | null;
}

const order = (event: PaidEvent, sub: string, key: string, quantity = 1) =>
  rt.call("POST", `/events/${event.eventId}/orders`, {
    as: { sub },
    headers: { "idempotency-key": key },
    body: { ticketTypeId: event.ticketTypeId, quantity },
  });

const count = async (table: "orders" | "payments" | "refunds" | "participations", eventId: string) => {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM ${sql.table(table)} x
    WHERE ${table === "refunds" ? sql`x.payment_id IN (SELECT p.id FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.event_id = ${eventId})` : table === "payments" ? sql`x.order_id IN (SELECT id FROM orders WHERE event_id = ${eventId})` : sql`x.event_id = ${eventId}`}`.execute(
    rt.db,
  );
  return rows[0]!.n;
};

async function pay(intentId: string) {
  const res = await fetch(`${rt.stripeSandbox!.url}/v1/payment_intents/${intentId}/confirm`, {
    method: "POST",
    headers: { authorization: "Bearer sk_test_local", "content-type": "application/x-www-form-urlencoded" },
    body: "payment_method=pm_card_visa",
  });
  expect(res.status).toBe(200);
}

/** The provider-tasks job, without waiting for the backoff: every pending task is due now. */
async function sendDueTasks() {
  await waitFor(
    async () =>
      (await rt.db.selectFrom("providerTasks").select("id").where("status", "=", "pending").where("lockedUntil", ">", new Date()).execute())
        .length === 0,
  );
  await rt.db
    .updateTable("providerTasks")
    .set({ nextAttemptAt: new Date(Date.now() - 1000) })
    .where("status", "=", "pending")
    .execute();
  const counts = await runDueTasks(await paymentsDeps(), { budgetMs: 10_000 });
  expect(counts.failed).toBe(0);
}

async function waitFor(check: () => Promise<boolean>) {
  for (let i = 0; i < 150; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("condition not met in time");
}

describe("money under faults, over HTTP", () => {
  it("an order whose PaymentIntent could not be created answers 502 with Retry-After; the retry with the same key finishes that same order", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 1 });
    const key = randomUUID();
    rt.stripeSandbox!.faults.inject({ endpoint: "POST /v1/payment_intents", kind: "error", status: 503, count: 10 });

    const first = await order(event, "stuck-buyer", key);
    expect(first.status).toBe(502);
    expect(first.headers.get("retry-after")).toMatch(/^\d+$/);
    const problem = (await first.json()) as { code: string; detail: string };
    expect(problem.code).toBe("payment_provider_error");
    expect(problem.detail).not.toMatch(/stripe|sandbox/i);
    // The hold committed (the last seat is this buyer's) and nothing else did.
    expect([await count("orders", event.eventId), await count("payments", event.eventId)]).toEqual([1, 1]);

    rt.stripeSandbox!.faults.clear();
    const retry = await order(event, "stuck-buyer", key);
    expect(retry.status).toBe(201);
    const body = (await retry.json()) as OrderBody;
    expect(body.payment?.providerPaymentId).toMatch(/^pi_/);
    expect(body.payment?.clientSecret).toContain("_secret_");
    expect([await count("orders", event.eventId), await count("payments", event.eventId)]).toEqual([1, 1]);

    // Replays rebuild the answer: the stored row holds no provider id or client secret in clear.
    const replay = await order(event, "stuck-buyer", key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(((await replay.json()) as OrderBody).payment?.providerPaymentId).toBe(body.payment?.providerPaymentId);
    const stored = await rt.db
      .selectFrom("idempotencyKeys")
      .select(["responseBody", "resourceId", "status"])
      .where("key", "=", key)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: "completed", resourceId: body.order!.id });
    expect(JSON.stringify(stored.responseBody)).not.toMatch(/pi_|secret/);
  });

  it("a buyer who already holds seats gets that order back (200), not a refusal", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 3 });
    const first = await order(event, "returning-buyer", randomUUID(), 2);
    expect(first.status).toBe(201);
    const again = await order(event, "returning-buyer", randomUUID(), 2);
    expect(again.status).toBe(200);
    const [a, b] = [(await first.json()) as OrderBody, (await again.json()) as OrderBody];
    expect(b.order?.id).toBe(a.order?.id);
    expect(b.payment?.providerPaymentId).toBe(a.payment?.providerPaymentId);
    expect(await count("orders", event.eventId)).toBe(1);
  });

  it("a total the provider cannot charge is 422 amount_not_chargeable before anything is held", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 3, priceMinor: 40 });
    const res = await order(event, "cheap-buyer", randomUUID());
    expect(res.status).toBe(422);
    expect(((await res.json()) as { code: string }).code).toBe("amount_not_chargeable");
    expect([await count("participations", event.eventId), await count("orders", event.eventId)]).toEqual([0, 0]);
    const ev = await rt.db.selectFrom("events").select("seatsTaken").where("id", "=", event.eventId).executeTakeFirstOrThrow();
    expect(ev.seatsTaken).toBe(0);
  });

  it("a refund retried after the provider failed is the same refund; it is sent once the provider is back", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 3 });
    const placed = (await (await order(event, "refund-buyer", randomUUID())).json()) as OrderBody;
    await pay(placed.payment!.providerPaymentId!);
    await waitFor(
      async () =>
        (await rt.db.selectFrom("payments").select("status").where("id", "=", placed.payment!.id).executeTakeFirstOrThrow()).status ===
        "completed",
    );

    rt.stripeSandbox!.faults.inject({ endpoint: "POST /v1/refunds", kind: "error", status: 500, count: 50 });
    const key = randomUUID();
    const refund = () =>
      rt.call("POST", `/payments/${placed.payment!.id}/refunds`, {
        as: { sub: event.organizerSub, role: "organizer" },
        headers: { "idempotency-key": key },
        body: { amountMinor: 2500, reason: "The buyer cannot come after all" },
      });
    const first = await refund();
    expect(first.status).toBe(202);
    const again = await refund();
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    expect(await count("refunds", event.eventId)).toBe(1);

    // The provider is back: the sweep sends the one refund, with our idempotency key.
    rt.stripeSandbox!.faults.clear();
    await sendDueTasks();
    const row = await rt.db
      .selectFrom("refunds")
      .select(["status", "providerRefundIdHash"])
      .where("paymentId", "=", placed.payment!.id)
      .executeTakeFirstOrThrow();
    expect(row.providerRefundIdHash).not.toBeNull();
    expect(await count("refunds", event.eventId)).toBe(1);
  });

  it("a buyer's cancellation commits while the provider is down; the refund is sent when it is back", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 3 });
    const placed = (await (await order(event, "cancel-buyer", randomUUID())).json()) as OrderBody;
    await pay(placed.payment!.providerPaymentId!);
    await waitFor(
      async () =>
        (await rt.db.selectFrom("payments").select("status").where("id", "=", placed.payment!.id).executeTakeFirstOrThrow()).status ===
        "completed",
    );

    rt.stripeSandbox!.faults.inject({ endpoint: "POST /v1/refunds", kind: "error", status: 503, count: 50 });
    const res = await rt.call("POST", `/orders/${placed.order!.id}/cancel`, { as: { sub: "cancel-buyer" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as OrderBody;
    expect(body.participation.status).toBe("cancelled");
    const seats = await rt.db.selectFrom("events").select("seatsTaken").where("id", "=", event.eventId).executeTakeFirstOrThrow();
    expect(seats.seatsTaken).toBe(0);
    // The refund is reserved; its task waits for the provider.
    const refundRow = () =>
      rt.db
        .selectFrom("refunds")
        .select(["status", "providerRefundIdHash"])
        .where("paymentId", "=", placed.payment!.id)
        .executeTakeFirstOrThrow();
    expect(await refundRow()).toMatchObject({ status: "processing", providerRefundIdHash: null });
    rt.stripeSandbox!.faults.clear();
    await sendDueTasks();
    expect((await refundRow()).providerRefundIdHash).not.toBeNull();
  });
});
