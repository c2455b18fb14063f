// A paid ticket end to end over HTTP: order → Stripe SDK confirms at the sandbox → signed webhook
// → queue → processor → participation active; and the declined-card path.
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaidEvent, eventually, type PaidEvent } from "../support/paid-event";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
let stripe: Stripe;
beforeAll(async () => {
  rt = await startTestRuntime();
  const base = new URL(rt.stripeSandbox!.url);
  stripe = new Stripe("sk_test_e2e", { host: base.hostname, port: Number(base.port), protocol: "http" });
});
afterAll(() => rt.stop());

interface OrderBody {
  order: { id: string; amountMinor: number; holdExpiresAt: string };
  participation: { id: string; status: string };
  payment: { id: string; status: string; providerPaymentId: string; clientSecret: string };
}

async function order(event: PaidEvent, sub: string, key = randomUUID(), quantity = 1) {
  const res = await rt.call("POST", `/events/${event.eventId}/orders`, {
    as: { sub },
    headers: { "idempotency-key": key },
    body: { ticketTypeId: event.ticketTypeId, quantity },
  });
  return { res, body: (await res.json()) as OrderBody, key };
}

const orderState = async (id: string, sub: string) => (await (await rt.call("GET", `/orders/${id}`, { as: { sub } })).json()) as OrderBody;

describe("buying a ticket", () => {
  it("card payment: hold → succeeded webhook → active, with transaction and audit rows", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 3, priceMinor: 2500 });
    const { res, body, key } = await order(event, "buyer-1", undefined, 2);
    expect(res.status).toBe(201);
    expect(body.participation.status).toBe("pending");
    expect(body.order.amountMinor).toBe(5000);
    expect(body.payment).toMatchObject({ status: "pending", amountMinor: 5000, currency: "USD", provider: "stripe" });
    expect(body.payment.providerPaymentId).toMatch(/^pi_/);
    expect(body.payment.clientSecret).toContain("_secret_");

    // The same key and body replays the first response; another body with the key is refused.
    const replay = await rt.call("POST", `/events/${event.eventId}/orders`, {
      as: { sub: "buyer-1" },
      headers: { "idempotency-key": key },
      body: { ticketTypeId: event.ticketTypeId, quantity: 2 },
    });
    expect(replay.status).toBe(201);
    expect(await replay.json()).toEqual(body);
    const reused = await rt.call("POST", `/events/${event.eventId}/orders`, {
      as: { sub: "buyer-1" },
      headers: { "idempotency-key": key },
      body: { ticketTypeId: event.ticketTypeId, quantity: 1 },
    });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ code: "idempotency_key_reused" });

    await stripe.paymentIntents.confirm(body.payment.providerPaymentId, { payment_method: "pm_card_visa" });
    const done = await eventually(async () => {
      const s = await orderState(body.order.id, "buyer-1");
      return s.participation.status === "active" && s.payment.status === "completed" ? s : undefined;
    });
    expect(done.payment.clientSecret).toBe(body.payment.clientSecret);

    const tx = await rt.db.selectFrom("paymentTransactions").selectAll().where("paymentId", "=", body.payment.id).execute();
    expect(tx).toEqual([expect.objectContaining({ type: "payment", status: "completed", amountMinor: 5000 })]);
    const audit = await rt.db
      .selectFrom("paymentAuditLog")
      .select("actionType")
      .where("paymentId", "=", body.payment.id)
      .orderBy("createdAt")
      .execute();
    expect(audit.map((a) => a.actionType)).toEqual(["PaymentInitiated", "PaymentProcessed", "PaymentCompleted"]);
    const ev = await rt.db.selectFrom("events").select("seatsTaken").where("id", "=", event.eventId).executeTakeFirstOrThrow();
    expect(ev.seatsTaken).toBe(2);
  });

  it("declined card: payment failed with a failure row; the seats stay held until expiry", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 1 });
    const { body } = await order(event, "buyer-2");
    await expect(
      stripe.paymentIntents.confirm(body.payment.providerPaymentId, { payment_method: "pm_card_chargeDeclined" }),
    ).rejects.toMatchObject({ type: "StripeCardError", code: "card_declined" });
    await eventually(async () => (await orderState(body.order.id, "buyer-2")).payment.status === "failed");
    const failures = await rt.db.selectFrom("paymentFailures").selectAll().where("paymentId", "=", body.payment.id).execute();
    expect(failures).toEqual([expect.objectContaining({ failureCode: "card_declined", retryCount: 0 })]);
    const state = await orderState(body.order.id, "buyer-2");
    expect(state.participation.status).toBe("pending");
    const ev = await rt.db.selectFrom("events").select("seatsTaken").where("id", "=", event.eventId).executeTakeFirstOrThrow();
    expect(ev.seatsTaken).toBe(1);
    // The only seat is held: another buyer is turned away.
    const other = await order(event, "buyer-3");
    expect(other.res.status).toBe(409);
    expect(other.body).toMatchObject({ code: "sold_out" });
  });

  it("another member cannot see the order (404), the organizer can (no client secret)", async () => {
    const event = await createPaidEvent(rt.db);
    const { body } = await order(event, "buyer-4");
    expect((await rt.call("GET", `/orders/${body.order.id}`, { as: { sub: "someone-else" } })).status).toBe(404);
    const asOrganizer = (await (
      await rt.call("GET", `/orders/${body.order.id}`, { as: { sub: event.organizerSub, role: "organizer" } })
    ).json()) as OrderBody;
    expect(asOrganizer.payment.clientSecret).toBeUndefined();
    expect((await rt.call("GET", `/orders/not-a-uuid`, { as: { sub: "buyer-4" } })).status).toBe(404);
  });
});

describe("webhook redelivery", () => {
  it("the same event delivered three times and events in reverse order have exactly one effect", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 2 });
    const { body } = await order(event, "buyer-5");
    const sandbox = rt.stripeSandbox!;
    sandbox.pauseDelivery();
    // A failure then a success for the same intent, released in reverse order (success first).
    await stripe.paymentIntents
      .confirm(body.payment.providerPaymentId, { payment_method: "pm_card_chargeDeclined" })
      .catch(() => undefined);
    await stripe.paymentIntents.confirm(body.payment.providerPaymentId, { payment_method: "pm_card_visa" });
    sandbox.resumeDelivery({ order: "reverse" });
    await sandbox.waitForDeliveries();
    const succeeded = sandbox
      .events({ type: "payment_intent.succeeded" })
      .find((e) => (e.event.data.object as { id: string }).id === body.payment.providerPaymentId)!;
    for (let i = 0; i < 3; i++) await sandbox.redeliver(succeeded.event.id);
    await eventually(async () => {
      const rows = await rt.db.selectFrom("webhookEvents").select(["status"]).where("providerEventId", "=", succeeded.event.id).execute();
      return rows[0]?.status === "processed";
    });
    await new Promise((r) => setTimeout(r, 500));
    const state = await orderState(body.order.id, "buyer-5");
    expect(state.payment.status).toBe("completed"); // the stale failure did not move it back
    expect(state.participation.status).toBe("active");
    const tx = await rt.db.selectFrom("paymentTransactions").select("id").where("paymentId", "=", body.payment.id).execute();
    expect(tx).toHaveLength(1);
  });
});
