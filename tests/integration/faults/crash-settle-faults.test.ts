// Fault suite, crashes away from the buyer: the runtime SIGKILLed while cancelling an event,
// expiring holds, processing a payment webhook, settling a late payment or promoting the
// waitlist, then restarted. Then the sweeps run and the ledger invariant must hold.
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
