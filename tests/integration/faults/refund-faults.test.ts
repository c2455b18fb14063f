// Fault suite, money going back: buyer cancel, organizer refund, event cancel and hold expiry,
// each under failpoints, a slow or absent Stripe and client retries; every scenario ends with the
// sweeps and the ledger invariant (harness.ts): one refund per request, nothing stuck.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelEvent } from "@evently/core/events";
import { ReplayedAnswer } from "@evently/core/idempotency";
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { eventCancellationHooks } from "@evently/core/payments/cancellation";
import { cancelOrder } from "@evently/core/payments/order-lifecycle";
import { placeOrder } from "@evently/core/payments/orders";
import { requestRefund } from "@evently/core/payments/refunds";
import { withDeadline } from "@evently/core/shared/deadline";
import { enableFailpoint } from "@evently/core/shared/failpoints";
import type { FaultSpec } from "@evently/stripe-sandbox";
import { makeActor, type TestActor } from "../../support/fixtures";
import { publishRows } from "../../support/fault-report";
import { paidOrder } from "../payments/harness";
import { answered, keyFor, outcome, startFaultHarness, ticketedEvent, type FaultHarness } from "./harness";

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

const TASK_POINTS = ["task.before-provider", "task.after-provider", "task.after-record"];
const REFUNDS_DOWN: FaultSpec = { endpoint: "POST /v1/refunds", kind: "error", status: 503, count: 5 };
const REFUNDS_SLOW: FaultSpec = { endpoint: "POST /v1/refunds", kind: "timeout", count: 1 };
/** Stripe makes the refund but the answer never arrives: only our Stripe idempotency key prevents a second one. */
const REFUNDS_APPLIED_SLOW: FaultSpec = { endpoint: "POST /v1/refunds", kind: "timeout-after-apply", count: 3 };

const refundRows = (paymentId: string) =>
  h.t.db.selectFrom("refunds").select(["id", "status"]).where("paymentId", "=", paymentId).execute();

async function paidTicket() {
  const buyer = await makeActor(h.t.db);
  const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org);
  return { buyer, eventId, ...(await paidOrder(h, buyer, eventId, ticketTypeId)) };
}

/** Arms the fault: a failpoint (throw, once) or a sandbox fault. */
function arm(fault: string | FaultSpec) {
  if (typeof fault === "string") enableFailpoint(fault, "throw", { count: 1 });
  else h.sandbox.faults.inject(fault);
}
const describeFault = (f: string | FaultSpec) =>
  typeof f === "string" ? f : `${f.endpoint} ${f.kind}${f.status ? ` ${f.status}` : ""}${f.count ? ` ×${f.count}` : ""}`;
const classOf = (f: string | FaultSpec) => (typeof f === "string" ? "throw" : f.kind === "error" ? "down" : "slow");

describe("buyer cancel", () => {
  for (const fault of ["cancel.after-commit", ...TASK_POINTS, REFUNDS_DOWN, REFUNDS_SLOW, REFUNDS_APPLIED_SLOW]) {
    it(`${describeFault(fault)}: the ticket is cancelled once and refunded once`, async () => {
      const t = await paidTicket();
      arm(fault);
      const first = await outcome(() => withDeadline(Date.now() + 3_000, () => cancelOrder(h.deps, t.buyer, t.orderId)));
      const retry = await outcome(() => cancelOrder(h.deps, t.buyer, t.orderId));
      expect(retry.saw).toBe("409 invalid_state");
      await h.conclude({
        path: "buyer cancel",
        fault: classOf(fault),
        detail: describeFault(fault),
        clientSaw: `${first.saw}, retry ${retry.saw}`,
        faultsInjected: 1,
        retries: 1,
      });
      expect(await refundRows(t.paymentId)).toEqual([expect.objectContaining({ status: "completed" })]);
    });
  }
});

describe("organizer refund", () => {
  const input = { amountMinor: 1000, reason: "Partial refund after a complaint" };
  const refundAnswer = async (run: () => Promise<unknown>) => {
    try {
      const view = (await run()) as { id: string };
      return { saw: "202", id: view.id };
    } catch (error) {
      if (error instanceof ReplayedAnswer) return { saw: `${error.status} replayed`, id: (error.body as { id: string }).id };
      return { saw: answered(error), id: undefined };
    }
  };
  for (const fault of ["refund.after-commit", ...TASK_POINTS, "refund.before-response", REFUNDS_DOWN, REFUNDS_SLOW, REFUNDS_APPLIED_SLOW]) {
    it(`${describeFault(fault)}: the retry with the same key answers the same refund, sent once`, async () => {
      const t = await paidTicket();
      const key = keyFor(org, "refunds:create", `r-${describeFault(fault)}`);
      arm(fault);
      const first = await refundAnswer(() =>
        withDeadline(Date.now() + 3_000, () => requestRefund(h.deps, org, t.paymentId, input, {}, key)),
      );
      const retry = await refundAnswer(() => requestRefund(h.deps, org, t.paymentId, input, {}, key));
      expect(retry.saw).toBe("202 replayed");
      if (first.id) expect(retry.id).toBe(first.id);
      expect(await refundRows(t.paymentId)).toHaveLength(1);
      await h.conclude({
        path: "organizer refund",
        fault: classOf(fault),
        detail: describeFault(fault),
        clientSaw: `${first.saw}, retry ${retry.saw} (same refund)`,
        faultsInjected: 1,
        retries: 1,
      });
    });
  }

  it("concurrent duplicates with one key: one refund", async () => {
    const t = await paidTicket();
    const key = keyFor(org, "refunds:create", "r-dup", 30);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => refundAnswer(() => requestRefund(h.deps, org, t.paymentId, input, {}, key))),
    );
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect(await refundRows(t.paymentId)).toHaveLength(1);
    const saw = [...new Set(answers.map((a) => a.saw))].sort().join(" / ");
    await h.conclude({
      path: "organizer refund",
      fault: "retry",
      detail: "4 concurrent requests, one key",
      clientSaw: `${saw}, one refund`,
      faultsInjected: 0,
      retries: 3,
    });
  });
});

describe("event cancel", () => {
  for (const fault of ["event-cancel.after-commit", "task.before-provider", REFUNDS_DOWN]) {
    it(`${describeFault(fault)}: every ticket refunded once, every hold's intent cancelled`, async () => {
      const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org);
      const buyers = await Promise.all([makeActor(h.t.db), makeActor(h.t.db), makeActor(h.t.db)]);
      const paid = [await paidOrder(h, buyers[0]!, eventId, ticketTypeId), await paidOrder(h, buyers[1]!, eventId, ticketTypeId)];
      await placeOrder(h.deps, buyers[2]!, eventId, { ticketTypeId, quantity: 1 });
      if (typeof fault === "string") enableFailpoint(fault, "throw");
      else arm(fault);
      const first = await outcome(() =>
        cancelEvent(h.t.db, org, eventId, { reason: "Venue flooded" }, eventCancellationHooks(h.deps, org)),
      );
      const retry = await outcome(() =>
        cancelEvent(h.t.db, org, eventId, { reason: "Venue flooded" }, eventCancellationHooks(h.deps, org)),
      );
      await h.conclude({
        path: "event cancel",
        fault: classOf(fault),
        detail: describeFault(fault),
        clientSaw: `${first.saw}, retry ${retry.saw}`,
        faultsInjected: 1,
        retries: 1,
      });
      for (const p of paid) expect(await refundRows(p.paymentId)).toEqual([expect.objectContaining({ status: "completed" })]);
    });
  }
});

describe("hold expiry", () => {
  const CANCEL_DOWN: FaultSpec = { endpoint: "POST /v1/payment_intents/:id/cancel", kind: "error", status: 500, count: 5 };
  for (const fault of [
    "expire-holds.after-commit",
    "expire-holds.between-batches",
    "task.before-provider",
    "task.after-provider",
    CANCEL_DOWN,
  ]) {
    it(`${describeFault(fault)}: seats released once, intents cancelled, the next run finishes`, async () => {
      const { eventId, ticketTypeId } = await ticketedEvent(h.t.db, org);
      const buyers = await Promise.all([makeActor(h.t.db), makeActor(h.t.db)]);
      for (const b of buyers) await placeOrder(h.deps, b, eventId, { ticketTypeId, quantity: 2 });
      await h.t.db
        .updateTable("participations")
        .set({ holdExpiresAt: new Date(Date.now() - 60_000) })
        .where("eventId", "=", eventId)
        .execute();
      arm(fault);
      const first = await outcome(() => expireHolds(h.deps, { batchSize: 1 }), "job ran");
      await h.conclude(
        { path: "hold expiry", fault: classOf(fault), detail: describeFault(fault), clientSaw: first.saw, faultsInjected: 1, retries: 0 },
        { expireHolds: true },
      );
      const event = await h.t.db.selectFrom("events").select("seatsTaken").where("id", "=", eventId).executeTakeFirstOrThrow();
      expect(event.seatsTaken).toBe(0);
    });
  }
});
