// Fault suite, crashes in requests: the runtime (a child process, same code as npm start) is
// SIGKILLed at a failpoint of an order, a refund or a cancel, started again on the same database
// and Stripe state, and the client retries with the same Idempotency-Key; then the sweeps run and
// the ledger invariant must hold.
import { describe, expect, it } from "vitest";
import { makeActor } from "../../support/fixtures";
import { api } from "./crash-support";
import { useCrashSuite, type CrashSuite } from "./crash-suite";
import { ticketedEvent } from "./harness";

let s: CrashSuite;
useCrashSuite(__filename, (suite) => (s = suite));

describe("the runtime killed at a failpoint, then restarted", () => {
  for (const point of ["order.after-hold-commit", "task.after-provider"]) {
    it(`order: ${point}`, async () => {
      const buyer = await makeActor(s.w.db);
      const { eventId, ticketTypeId } = await ticketedEvent(s.w.db, s.org);
      const order = (apiUrl: string) =>
        api(apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 2 }, `crash-${point}`);
      const first = await s.crashAt(point, order);
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
