// Fault suite, webhooks in batches: the runtime SIGKILLed after a batch claimed its events in the
// inbox and applied them, before its transaction committed; restarted, the provider's redeliveries
// apply every event exactly once. Then the sweeps run and the ledger invariant must hold.
import { expect, it } from "vitest";
import { makeActor } from "../../support/fixtures";
import { api } from "./crash-support";
import { useCrashSuite, type CrashSuite } from "./crash-suite";
import { ticketedEvent } from "./harness";

let s: CrashSuite;
useCrashSuite(__filename, (suite) => (s = suite));

it("payment success webhooks: webhook.batch-before-commit", async () => {
  const { eventId, ticketTypeId } = await ticketedEvent(s.w.db, s.org, { capacity: 10 });
  const orders: Array<{ id: string; providerPaymentId: string }> = [];
  for (let i = 0; i < 4; i++) {
    const buyer = await makeActor(s.w.db);
    const placed = await api(s.child.apiUrl, "POST", `/events/${eventId}/orders`, buyer, { ticketTypeId, quantity: 1 }, `batch-crash-${i}`);
    orders.push(placed.body.payment as { id: string; providerPaymentId: string });
  }
  await s.crashAt("webhook.batch-before-commit", async () => {
    // Paid at once, so their webhooks reach the queue together and share batches.
    await Promise.all(orders.map((p) => s.stripe.paymentIntents.confirm(p.providerPaymentId, { payment_method: "pm_card_visa" })));
    return { status: "webhooks delivered" };
  });
  // Nothing of the killed batch committed: not its inbox rows, not its effects.
  const committed = await s.w.db
    .selectFrom("paymentTransactions")
    .select("paymentId")
    .where(
      "paymentId",
      "in",
      orders.map((p) => p.id),
    )
    .execute();
  expect(committed.length).toBeLessThan(orders.length);

  await s.conclude({
    path: "payment success webhook",
    fault: "crash",
    detail: "webhook.batch-before-commit",
    clientSaw: "provider redelivers to the restarted runtime",
    faultsInjected: 1,
    retries: 1,
  });
  const payments = await s.w.db
    .selectFrom("payments")
    .select("status")
    .where(
      "id",
      "in",
      orders.map((p) => p.id),
    )
    .execute();
  expect(payments.map((p) => p.status)).toEqual(Array(orders.length).fill("completed"));
  const txs = await s.w.db
    .selectFrom("paymentTransactions")
    .select("paymentId")
    .where(
      "paymentId",
      "in",
      orders.map((p) => p.id),
    )
    .execute();
  expect(txs).toHaveLength(orders.length);
});
