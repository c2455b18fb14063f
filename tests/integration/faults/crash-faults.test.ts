// Fault suite, requests under crashes and outages: the runtime (a child process, same code as npm
// start) SIGKILLed at a failpoint of an order, a refund or a cancel and started again on the same
// database and Stripe state; Stripe slower than the route's limit; the database stopped in the
// middle of an order or a refund. The client retries with the same Idempotency-Key; then the sweeps
// run and the ledger invariant must hold.
import { describe, expect, it } from "vitest";
import { ROUTE_LIMITS } from "@evently/functions/manifest";
import { makeActor } from "../../support/fixtures";
import { eventually } from "../../support/paid-event";
import { api } from "./crash-support";
import { useCrashSuite, type CrashSuite } from "./crash-suite";
import { ticketedEvent } from "./harness";

let s: CrashSuite;
useCrashSuite(__filename, (suite) => (s = suite));

const intentOf = (body: Record<string, unknown>) => (body.payment as { providerPaymentId: string }).providerPaymentId;

describe("the runtime killed at a failpoint, then restarted", () => {
  for (const point of ["order.after-hold-commit", "task.after-provider"]) {
    it(`order: ${point}`, async () => {
      const buyer = await makeActor(s.w.db);
      const { eventId, ticketTypeId } = await ticketedEvent(s.w.db, s.org);
      const order = (apiUrl: string) =>
        api(apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 2 }, `crash-${point}`);
      const first = await s.crashAt(point, order);
      // The dead attempt's task lease ends no later than its key's: once the client may retry, it finishes the order.
      const key = await s.w.db
        .selectFrom("idempotencyKeys")
        .select("lockedUntil")
        .where("key", "=", `crash-${point}`)
        .executeTakeFirstOrThrow();
      const tasks = await s.w.db
        .selectFrom("providerTasks as t")
        .innerJoin("payments as p", "p.id", "t.paymentId")
        .select("t.lockedUntil")
        .where("p.userId", "=", buyer.userId)
        .execute();
      for (const t of tasks) expect(t.lockedUntil?.getTime() ?? 0).toBeLessThanOrEqual(key.lockedUntil!.getTime());
      await s.w.expireLeases();
      const retry = await order(s.child.apiUrl);
      expect([200, 201]).toContain(retry.status);
      expect(await s.w.db.selectFrom("orders").select("id").where("userId", "=", buyer.userId).execute()).toHaveLength(1);
      await s.stripe.paymentIntents.confirm((retry.body.payment as { providerPaymentId: string }).providerPaymentId, {
        payment_method: "pm_card_visa",
      });
      await s.conclude({
        path: "order (POST /events/{id}/orders)",
        fault: "crash",
        detail: point,
        clientSaw: `${first}, retry after restart ${retry.status} (same order)`,
        faultsInjected: 1,
        retries: 1,
      });
    });
  }

  for (const point of ["refund.after-commit", "task.after-provider"]) {
    it(`organizer refund: ${point}`, async () => {
      const t = await s.paidTicket(await makeActor(s.w.db));
      const refund = (apiUrl: string) =>
        api(
          apiUrl,
          "POST",
          `/payments/${t.paymentId}/refunds`,
          s.org,
          { amountMinor: 1000, reason: "Partial refund after a crash" },
          `refund-${point}`,
        );
      const first = await s.crashAt(point, refund);
      const retry = await refund(s.child.apiUrl);
      expect(retry.status).toBe(202);
      expect(await s.w.db.selectFrom("refunds").select("id").where("paymentId", "=", t.paymentId).execute()).toHaveLength(1);
      await s.conclude({
        path: "organizer refund",
        fault: "crash",
        detail: point,
        clientSaw: `${first}, retry after restart ${retry.status} (same refund)`,
        faultsInjected: 1,
        retries: 1,
      });
    });
  }

  it("buyer cancel: cancel.after-commit", async () => {
    const buyer = await makeActor(s.w.db);
    const t = await s.paidTicket(buyer);
    const first = await s.crashAt("cancel.after-commit", (apiUrl) => api(apiUrl, "POST", `/orders/${t.orderId}/cancel`, buyer, {}));
    const retry = await api(s.child.apiUrl, "POST", `/orders/${t.orderId}/cancel`, buyer, {});
    expect(retry.status).toBe(409);
    await s.conclude({
      path: "buyer cancel",
      fault: "crash",
      detail: "cancel.after-commit",
      clientSaw: `${first}, retry ${retry.status} (already cancelled)`,
      faultsInjected: 1,
      retries: 1,
    });
  });
});

describe("Stripe slower than the route's time limit, over HTTP", () => {
  it("order: 502/503 inside the 10 s limit; the retry with the same key finishes the same order", async () => {
    const buyer = await makeActor(s.w.db);
    const { eventId, ticketTypeId } = await ticketedEvent(s.w.db, s.org);
    const hook = (route: string, body: unknown = {}) =>
      fetch(`${s.w.sandboxUrl}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    // Every attempt the budget allows times out (one timeout alone is retried inside the budget).
    await hook("/_sandbox/faults", { endpoint: "POST /v1/payment_intents", kind: "timeout", count: 10 });
    const order = () => api(s.child.apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 1 }, "slow-http");
    const started = Date.now();
    const first = await order();
    expect(Date.now() - started).toBeLessThan(ROUTE_LIMITS.provider * 1000);
    expect([502, 503]).toContain(first.status);
    await hook("/_sandbox/faults/clear");
    const retry = await order();
    expect([200, 201]).toContain(retry.status);
    expect(await s.w.db.selectFrom("orders").select("id").where("userId", "=", buyer.userId).execute()).toHaveLength(1);
    await s.stripe.paymentIntents.confirm((retry.body.payment as { providerPaymentId: string }).providerPaymentId, {
      payment_method: "pm_card_visa",
    });
    await s.conclude(
      {
        path: "order (POST /events/{id}/orders)",
        fault: "slow",
        detail: `POST /v1/payment_intents timeout, route limit ${ROUTE_LIMITS.provider} s (HTTP)`,
        clientSaw: `${first.status} inside the limit, retry ${retry.status} (same order)`,
        faultsInjected: 1,
        retries: 1,
      },
      "the sweeps settled everything",
    );
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
