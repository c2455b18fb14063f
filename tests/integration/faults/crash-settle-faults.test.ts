// Fault suite, crashes away from the buyer and database outages: the runtime SIGKILLed while
// cancelling an event, expiring holds, processing a payment webhook, settling a late payment or
// promoting the waitlist; the database stopped in the middle of an order and of a refund. Then the
// sweeps run and the ledger invariant must hold.
import { describe, expect, it } from "vitest";
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { createFieldCipher } from "@evently/core/payments/crypto";
import { enableFailpoint } from "@evently/core/shared/failpoints";
import { stripeGateway } from "@evently/functions/lib/stripe-gateway";
import { makeActor } from "../../support/fixtures";
import { eventually } from "../../support/paid-event";
import { api } from "./crash-support";
import { useCrashSuite, type CrashSuite } from "./crash-suite";
import { ticketedEvent } from "./harness";

let s: CrashSuite;
useCrashSuite(__filename, (suite) => (s = suite));

const intentOf = (body: Record<string, unknown>) => (body.payment as { providerPaymentId: string }).providerPaymentId;

describe("the runtime killed at a failpoint, then restarted", () => {
  it("event cancel: event-cancel.after-commit", async () => {
    const t = await s.paidTicket(await makeActor(s.w.db));
    const first = await s.crashAt("event-cancel.after-commit", (apiUrl) =>
      api(apiUrl, "POST", `/events/${t.eventId}/cancel`, s.org, { reason: "Venue flooded" }),
    );
    await s.conclude({
      path: "event cancel",
      fault: "crash",
      detail: "event-cancel.after-commit",
      clientSaw: `${first}; the event is cancelled`,
      faultsInjected: 1,
      retries: 0,
    });
  });

  it("hold expiry: expire-holds.after-commit", async () => {
    const buyer = await makeActor(s.w.db);
    const { eventId, ticketTypeId } = await ticketedEvent(s.w.db, s.org);
    await api(s.child.apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 1 }, "hold-crash");
    await s.w.db
      .updateTable("participations")
      .set({ holdExpiresAt: new Date(Date.now() - 60_000) })
      .where("eventId", "=", eventId)
      .execute();
    const first = await s.crashAt("expire-holds.after-commit", async () => ({ status: (await s.child.expireHolds()).error ?? "finished" }));
    await s.conclude({
      path: "hold expiry",
      fault: "crash",
      detail: "expire-holds.after-commit",
      clientSaw: `job: ${first}`,
      faultsInjected: 1,
      retries: 0,
    });
  });

  for (const [path, card] of [
    ["payment success webhook", "pm_card_visa"],
    ["payment failure webhook", "pm_card_chargeDeclined"],
  ] as const) {
    it(`${path}: webhook.after-commit`, async () => {
      const buyer = await makeActor(s.w.db);
      const { eventId, ticketTypeId } = await ticketedEvent(s.w.db, s.org);
      const placed = await api(
        s.child.apiUrl,
        "POST",
        `/events/${eventId}/orders`,
        buyer,
        { ticketTypeId, quantity: 1 },
        `webhook-crash-${card}`,
      );
      await s.crashAt("webhook.after-commit", async () => {
        await s.stripe.paymentIntents.confirm(intentOf(placed.body), { payment_method: card }).catch(() => undefined);
        return { status: "webhook acknowledged" };
      });
      await s.conclude({
        path,
        fault: "crash",
        detail: "webhook.after-commit",
        clientSaw: "provider redelivers to the restarted runtime",
        faultsInjected: 1,
        retries: 1,
      });
    });
  }

  it("late payment after expiry: settle.after-commit", async () => {
    const [late, other] = await Promise.all([makeActor(s.w.db), makeActor(s.w.db)]);
    const { eventId, ticketTypeId } = await ticketedEvent(s.w.db, s.org, { capacity: 1 });
    const placed = await api(s.child.apiUrl, "POST", `/events/${eventId}/orders`, late, { ticketTypeId, quantity: 1 }, "late-crash");
    await s.w.db
      .updateTable("participations")
      .set({ holdExpiresAt: new Date(Date.now() - 60_000) })
      .where("eventId", "=", eventId)
      .execute();
    // The expiry commits but dies before cancelling the intent (here, in the test process), so the buyer can still pay.
    enableFailpoint("expire-holds.after-commit", "throw", { count: 1 });
    const deps = {
      db: s.w.db,
      gateway: stripeGateway,
      cipher: createFieldCipher(process.env.DATA_KEY ?? "", process.env.BLIND_INDEX_KEY ?? ""),
      holdTtlSeconds: 900,
    };
    await expect(expireHolds(deps, { batchSize: 10 })).rejects.toThrow(/failpoint/);
    const resold = await api(s.child.apiUrl, "POST", `/events/${eventId}/orders`, other, { ticketTypeId, quantity: 1 }, "late-other");
    await s.stripe.paymentIntents.confirm(intentOf(resold.body), { payment_method: "pm_card_visa" });
    await eventually(
      async () =>
        (
          await s.w.db
            .selectFrom("participations")
            .select("status")
            .where("userId", "=", other.userId)
            .where("eventId", "=", eventId)
            .executeTakeFirst()
        )?.status === "active",
    );
    await s.crashAt("settle.after-commit", async () => {
      await s.stripe.paymentIntents.confirm(intentOf(placed.body), { payment_method: "pm_card_visa" });
      return { status: "paid late" };
    });
    await s.conclude({
      path: "late payment after expiry",
      fault: "crash",
      detail: "settle.after-commit",
      clientSaw: "the late payment is captured, then refunded in full automatically",
      faultsInjected: 2,
      retries: 0,
    });
    const payment = await s.w.db
      .selectFrom("payments")
      .innerJoin("orders", "orders.id", "payments.orderId")
      .select("payments.status")
      .where("orders.userId", "=", late.userId)
      .executeTakeFirstOrThrow();
    expect(payment.status).toBe("refunded");
  });

  it("waitlist promotion to a hold: cancel.after-commit", async () => {
    const [first, waiting] = await Promise.all([makeActor(s.w.db), makeActor(s.w.db)]);
    const t = await s.paidTicket(first, { capacity: 1, waitlistEnabled: true });
    const queued = await api(
      s.child.apiUrl,
      "POST",
      `/events/${t.eventId}/orders`,
      waiting,
      { ticketTypeId: t.ticketTypeId, quantity: 1 },
      "waitlist",
    );
    expect((queued.body.participation as { status: string }).status).toBe("waitlisted");
    const saw = await s.crashAt("cancel.after-commit", (apiUrl) => api(apiUrl, "POST", `/orders/${t.orderId}/cancel`, first, {}));
    const promoted = await s.w.db.selectFrom("orders").select("id").where("userId", "=", waiting.userId).executeTakeFirstOrThrow();
    const order = await api(s.child.apiUrl, "GET", `/orders/${promoted.id}`, waiting);
    expect(order.status).toBe(200);
    await s.stripe.paymentIntents.confirm(intentOf(order.body), { payment_method: "pm_card_visa" });
    await s.conclude({
      path: "waitlist promotion to a hold",
      fault: "crash",
      detail: "cancel.after-commit",
      clientSaw: `cancel: ${saw}; the promoted buyer's GET /orders/{id} finishes the intent`,
      faultsInjected: 1,
      retries: 0,
    });
  });
});

describe("the database stopped in the middle of a request", () => {
  it("order: the request answers 503; once it is back the retry finishes the same order", async () => {
    const buyer = await makeActor(s.w.db);
    const { eventId, ticketTypeId } = await ticketedEvent(s.w.db, s.org);
    await s.restart("order.after-hold-commit=delay(1500)*1");
    const order = () => api(s.child.apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 1 }, "db-down");
    const pending = order();
    await eventually(
      async () => (await s.w.db.selectFrom("orders").select("id").where("userId", "=", buyer.userId).executeTakeFirst()) !== undefined,
      5_000,
      20,
    );
    await s.w.stopDatabase();
    const first = await pending;
    expect(first.status).toBe(503);
    await s.w.startDatabase();
    await s.w.expireLeases();
    const retry = await eventually(
      async () => {
        const r = await order();
        return r.status === 201 || r.status === 200 ? r : undefined;
      },
      15_000,
      200,
    );
    expect(await s.w.db.selectFrom("orders").select("id").where("userId", "=", buyer.userId).execute()).toHaveLength(1);
    await s.stripe.paymentIntents.confirm(intentOf(retry.body), { payment_method: "pm_card_visa" });
    await s.conclude(
      {
        path: "order (POST /events/{id}/orders)",
        fault: "db-down",
        detail: "database stopped after the hold commit",
        clientSaw: `${first.status}, retry ${retry.status} once the database is back (same order)`,
        faultsInjected: 1,
        retries: 1,
      },
      "the same process served again; the sweeps settled everything",
    );
  });

  it("refund: the committed refund is acknowledged and kept; the retry replays it", async () => {
    const t = await s.paidTicket(await makeActor(s.w.db));
    await s.restart("refund.after-commit=delay(1500)*1");
    const refund = () =>
      api(
        s.child.apiUrl,
        "POST",
        `/payments/${t.paymentId}/refunds`,
        s.org,
        { amountMinor: 500, reason: "Partial refund during an outage" },
        "db-down-refund",
      );
    const pending = refund();
    await eventually(
      async () => (await s.w.db.selectFrom("refunds").select("id").where("paymentId", "=", t.paymentId).executeTakeFirst()) !== undefined,
      5_000,
      20,
    );
    await s.w.stopDatabase();
    const first = await pending;
    await s.w.startDatabase();
    const retry = await eventually(
      async () => {
        const r = await refund();
        return r.status === 202 ? r : undefined;
      },
      15_000,
      200,
    );
    expect(first.status).toBe(202);
    expect(retry.body.id).toBe(first.body.id);
    await s.conclude(
      {
        path: "organizer refund",
        fault: "db-down",
        detail: "database stopped after the refund commit",
        clientSaw: `${first.status}, retry ${retry.status} replayed once the database is back`,
        faultsInjected: 1,
        retries: 1,
      },
      "the same process served again; the sweeps settled everything",
    );
  });
});
