// The expire-holds job against real Postgres and the Stripe sandbox: each hold is released exactly
// once even when runs overlap, the waitlist moves up, and late payments follow docs/ARCHITECTURE.md, invariant 4.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTransaction } from "@evently/core/db/transaction";
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { createOrder } from "@evently/core/payments/orders";
import { runDueTasks } from "@evently/core/payments/provider-tasks";
import { reserveRefunds } from "@evently/core/payments/refund-reservations";
import { HOLD_EXPIRED_REASON } from "@evently/core/payments/settlement";
import { setDb } from "@evently/functions/lib/db";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { scheduledEvent } from "@evently/local/scheduler";
import { makeActor } from "../../support/fixtures";
import { createPaidEvent } from "../../support/paid-event";
import { paidOrder, startPaymentsHarness, type PaymentsHarness } from "../payments/harness";

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness();
  setDb(h.t.db); // for the job handler, which builds its deps like a Lambda would
});
afterAll(() => h.stop());

/** Holds placed with these deps expire after one second of the database's clock. */
const shortHolds = () => ({ ...h.deps, holdTtlSeconds: 1 });
const holdsLapse = () => new Promise((r) => setTimeout(r, 1_200));

async function counters(eventId: string) {
  const { rows } = await sql<{ seatsTaken: number; quantityTaken: number; live: number }>`
    SELECT e.seats_taken, (SELECT sum(quantity_taken) FROM ticket_types WHERE event_id = e.id)::int AS quantity_taken,
      (SELECT coalesce(sum(quantity), 0) FROM participations WHERE event_id = e.id AND status IN ('pending', 'active'))::int AS live
    FROM events e WHERE e.id = ${eventId}`.execute(h.t.db);
  return rows[0]!;
}

const participation = (id: string) => h.t.db.selectFrom("participations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

describe("expire-holds", () => {
  it("releases every expired hold exactly once when two runs overlap, and cancels each PaymentIntent", async () => {
    const ev = await createPaidEvent(h.t.db, { capacity: 100, quantity: 100 });
    const keeper = await paidOrder(h, await makeActor(h.t.db), ev.eventId, ev.ticketTypeId, 2); // paid: never expires
    const holds = [];
    for (let i = 0; i < 24; i++) {
      const result = await createOrder(shortHolds(), await makeActor(h.t.db), ev.eventId, {
        ticketTypeId: ev.ticketTypeId,
        quantity: 1 + (i % 3),
      });
      holds.push({
        participationId: result.participation.id,
        paymentId: result.payment!.id,
        intentId: result.payment!.providerPaymentId!,
        quantity: 1 + (i % 3),
      });
    }
    const heldSeats = holds.reduce((n, x) => n + x.quantity, 0);
    expect(await counters(ev.eventId)).toEqual({ seatsTaken: heldSeats + 2, quantityTaken: heldSeats + 2, live: heldSeats + 2 });
    await holdsLapse();

    const runs = await Promise.all([expireHolds(h.deps, { batchSize: 3 }), expireHolds(h.deps, { batchSize: 3 })]);
    expect(runs[0].expired + runs[1].expired).toBe(24);
    expect(runs[0].seatsReleased + runs[1].seatsReleased).toBe(heldSeats);
    expect(runs[0].paymentsAbandoned + runs[1].paymentsAbandoned).toBe(24);
    // Each abandoned payment's intent was cancelled at the provider right after its batch committed.
    const intents = await Promise.all(holds.map((x) => h.stripe.paymentIntents.retrieve(x.intentId)));
    expect(intents.map((i) => i.status)).toEqual(holds.map(() => "canceled"));
    expect(await counters(ev.eventId)).toEqual({ seatsTaken: 2, quantityTaken: 2, live: 2 });
    expect((await participation(keeper.participationId)).status).toBe("active");

    const ids = holds.map((x) => x.participationId);
    const cancelledRows = await h.t.db
      .selectFrom("participationHistory")
      .select(["participationId", "changeReason"])
      .where("participationId", "in", ids)
      .where("actionType", "=", "Cancelled")
      .execute();
    expect(cancelledRows).toHaveLength(24);
    expect(new Set(cancelledRows.map((r) => r.participationId)).size).toBe(24);
    expect(cancelledRows.every((r) => r.changeReason === HOLD_EXPIRED_REASON)).toBe(true);
    for (const hold of holds) {
      expect(await participation(hold.participationId)).toMatchObject({ status: "cancelled", cancellationReason: HOLD_EXPIRED_REASON });
      const payment = await h.t.db.selectFrom("payments").select("status").where("id", "=", hold.paymentId).executeTakeFirstOrThrow();
      expect(payment.status).toBe("cancelled");
      expect((await h.stripe.paymentIntents.retrieve(hold.intentId)).status).toBe("canceled");
    }
    const audits = await h.t.db
      .selectFrom("paymentAuditLog")
      .select("paymentId")
      .where(
        "paymentId",
        "in",
        holds.map((x) => x.paymentId),
      )
      .where("actionType", "=", "SystemAction")
      .where("actionDescription", "=", HOLD_EXPIRED_REASON)
      .execute();
    expect(audits).toHaveLength(24);
    const orders = await h.t.db.selectFrom("orders").select("status").where("participationId", "in", ids).execute();
    expect(orders.every((o) => o.status === "expired")).toBe(true);

    // Nothing is left for a later run; the provider's canceled events are stale no-ops now.
    expect(await expireHolds(h.deps, { batchSize: 3 })).toMatchObject({ expired: 0, seatsReleased: 0, paymentsAbandoned: 0 });
    const outcomes = await h.drain(h.pending(["payment_intent.canceled"]));
    expect(outcomes).toHaveLength(24);
    expect(outcomes.every((o) => o.outcome.startsWith("stale"))).toBe(true);
  });

  it("promotes the waitlist in order: the freed seat becomes a new hold with its own PaymentIntent", async () => {
    const ev = await createPaidEvent(h.t.db, { capacity: 1, waitlist: true });
    await createOrder(shortHolds(), await makeActor(h.t.db), ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 1 });
    const first = await createOrder(h.deps, await makeActor(h.t.db), ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 1 });
    const second = await createOrder(h.deps, await makeActor(h.t.db), ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 1 });
    expect([first.participation.status, second.participation.status]).toEqual(["waitlisted", "waitlisted"]);
    await holdsLapse();

    expect(await expireHolds(h.deps, { batchSize: 10 })).toMatchObject({ expired: 1, seatsReleased: 1, promoted: 1, paymentsAbandoned: 1 });
    const promoted = await participation(first.participation.id);
    expect(promoted.status).toBe("pending");
    expect(promoted.holdExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect((await participation(second.participation.id)).status).toBe("waitlisted");
    const payment = await h.t.db
      .selectFrom("payments as p")
      .innerJoin("orders as o", "o.id", "p.orderId")
      .select(["p.status", "p.providerPaymentIdHash", "o.status as orderStatus"])
      .where("o.participationId", "=", first.participation.id)
      .executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ status: "pending", orderStatus: "pending" });
    expect(payment.providerPaymentIdHash).not.toBeNull();
    expect(await counters(ev.eventId)).toMatchObject({ seatsTaken: 1, live: 1 });
  });

  it("a payment that succeeds after its hold expired re-takes the seats when they are still free", async () => {
    const ev = await createPaidEvent(h.t.db, { capacity: 1 });
    const order = await createOrder(shortHolds(), await makeActor(h.t.db), ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 1 });
    // The buyer pays at the provider; its webhook is still on the way when the job runs.
    await h.stripe.paymentIntents.confirm(order.payment!.providerPaymentId!, { payment_method: "pm_card_visa" });
    await holdsLapse();

    // The intent has succeeded, so the provider refuses the cancel: its task ends saying so.
    expect(await expireHolds(h.deps, { batchSize: 10 })).toMatchObject({ expired: 1, seatsReleased: 1, paymentsAbandoned: 1 });
    const cancelTask = await h.t.db
      .selectFrom("providerTasks")
      .select(["status", "outcome"])
      .where("paymentId", "=", order.payment!.id)
      .where("kind", "=", "cancel_intent")
      .executeTakeFirstOrThrow();
    expect(cancelTask).toEqual({ status: "succeeded", outcome: "not cancelled: intent already succeeded" });
    expect(await counters(ev.eventId)).toMatchObject({ seatsTaken: 0, live: 0 });

    const outcomes = await h.drain(h.pending(["payment_intent.succeeded"]));
    expect(outcomes).toEqual([{ type: "payment_intent.succeeded", outcome: "completed: late payment, seats re-taken" }]);
    expect((await participation(order.participation.id)).status).toBe("active");
    expect(await counters(ev.eventId)).toMatchObject({ seatsTaken: 1, live: 1 });
    const payment = await h.t.db.selectFrom("payments").select("status").where("id", "=", order.payment!.id).executeTakeFirstOrThrow();
    expect(payment.status).toBe("completed");
  });

  it("a late payment that re-takes its seats also re-takes the promo use its expiry gave back, once", async () => {
    const ev = await createPaidEvent(h.t.db, { capacity: 1 });
    const promo = await h.t.db
      .insertInto("promoCodes")
      .values({ eventId: ev.eventId, code: "LATE10", percentOff: 10, maxUses: 5 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const uses = async () =>
      (await h.t.db.selectFrom("promoCodes").select("uses").where("id", "=", promo.id).executeTakeFirstOrThrow()).uses;
    const order = await createOrder(shortHolds(), await makeActor(h.t.db), ev.eventId, {
      ticketTypeId: ev.ticketTypeId,
      quantity: 1,
      promoCode: "late10",
    });
    expect(await uses()).toBe(1);
    await h.stripe.paymentIntents.confirm(order.payment!.providerPaymentId!, { payment_method: "pm_card_visa" });
    await holdsLapse();
    await expireHolds(h.deps, { batchSize: 10 });
    expect(await uses()).toBe(0); // the expiry gave the use back

    const outcomes = await h.drain(h.pending(["payment_intent.succeeded"]));
    expect(outcomes).toEqual([{ type: "payment_intent.succeeded", outcome: "completed: late payment, seats re-taken" }]);
    expect(await uses()).toBe(1); // the paid order did use the code
    // The order counts its use once: neither a second expiry run nor a redelivered event changes it.
    await expireHolds(h.deps, { batchSize: 10 });
    expect(await uses()).toBe(1);
    const { rows } = await sql<{
      released: Date | null;
    }>`SELECT promo_released_at AS released FROM orders WHERE id = ${order.order!.id}`.execute(h.t.db);
    expect(rows).toEqual([{ released: null }]);
  });

  it("a late payment whose seats were taken meanwhile is refunded automatically and not activated", async () => {
    const ev = await createPaidEvent(h.t.db, { capacity: 1 });
    const late = await createOrder(shortHolds(), await makeActor(h.t.db), ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 1 });
    await h.stripe.paymentIntents.confirm(late.payment!.providerPaymentId!, { payment_method: "pm_card_visa" });
    await holdsLapse();
    expect(await expireHolds(h.deps, { batchSize: 10 })).toMatchObject({ expired: 1 });
    const other = await createOrder(h.deps, await makeActor(h.t.db), ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 1 });
    expect(other.participation.status).toBe("pending");

    const outcomes = await h.drain(h.pending(["payment_intent.succeeded"]));
    expect(outcomes).toEqual([{ type: "payment_intent.succeeded", outcome: "completed: seats gone, automatic full refund started" }]);
    expect(await participation(late.participation.id)).toMatchObject({ status: "cancelled", cancellationReason: HOLD_EXPIRED_REASON });
    expect(await counters(ev.eventId)).toMatchObject({ seatsTaken: 1, live: 1 });
    const refund = await h.t.db
      .selectFrom("refunds")
      .select(["id", "amountMinor", "status"])
      .where("paymentId", "=", late.payment!.id)
      .executeTakeFirstOrThrow();
    expect(refund).toMatchObject({ amountMinor: late.payment!.amountMinor, status: "processing" });
    expect(await h.providerRefundId(refund.id)).toMatch(/^re_/);
  });

  it("leaves a hold whose payment is being settled right now to that transaction, without waiting on it", async () => {
    const ev = await createPaidEvent(h.t.db, { capacity: 5 });
    const order = await createOrder(shortHolds(), await makeActor(h.t.db), ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 1 });
    await holdsLapse();
    // A webhook's transaction locks the payment first, then wants the participation (settlement.ts).
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const webhook = h.t.db.transaction().execute(async (trx) => {
      await trx.selectFrom("payments").select("id").where("id", "=", order.payment!.id).forUpdate().execute();
      locked();
      await new Promise<void>((r) => (release = r));
    });
    await isLocked;
    expect(await expireHolds(h.deps, { batchSize: 10 })).toMatchObject({ expired: 0, seatsReleased: 0 });
    expect((await participation(order.participation.id)).status).toBe("pending");
    release();
    await webhook;
    expect(await expireHolds(h.deps, { batchSize: 10 })).toMatchObject({ expired: 1, seatsReleased: 1, paymentsAbandoned: 1 });
  });

  it("sends a refund whose task was committed but never run (a crash right after commit) on the next sweep", async () => {
    const ev = await createPaidEvent(h.t.db, { capacity: 5 });
    const paid = await paidOrder(h, await makeActor(h.t.db), ev.eventId, ev.ticketTypeId);
    // The crash: the refund and its task committed, the process died before running the task.
    const [refund] = await useTransaction(h.t.db, (trx) =>
      reserveRefunds(trx, [{ paymentId: paid.paymentId }], { reason: "Customer asked for a refund", requestedBy: null }),
    );
    await expect(h.providerRefundId(refund!.refundId)).rejects.toThrow(/not sent/);

    expect(await runDueTasks(h.deps, { budgetMs: 10_000 })).toMatchObject({ succeeded: 1, retried: 0, failed: 0 });
    expect(await h.providerRefundId(refund!.refundId)).toMatch(/^re_/);
    expect(await runDueTasks(h.deps, { budgetMs: 10_000 })).toMatchObject({ succeeded: 0 });
  });

  it("runs as the scheduled job: a job_runs row with the run's counts", async () => {
    const ev = await createPaidEvent(h.t.db, { capacity: 5 });
    await createOrder(shortHolds(), await makeActor(h.t.db), ev.eventId, { ticketTypeId: ev.ticketTypeId, quantity: 2 });
    await holdsLapse();
    const { handler } = await import("@evently/functions/jobs/expire-holds");
    const result = await handler(scheduledEvent({ name: "expire-holds" }), lambdaContext("job-expire-holds", 55));
    expect(result).toMatchObject({
      job: "expire-holds",
      status: "succeeded",
      counts: { expired: 1, seatsReleased: 2, paymentsAbandoned: 1 },
    });
    const run = await h.t.db.selectFrom("jobRuns").selectAll().where("id", "=", result.runId!).executeTakeFirstOrThrow();
    expect(run).toMatchObject({ job: "expire-holds", status: "succeeded", counts: { expired: 1, seatsReleased: 2 }, error: null });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.finishedAt!.getTime()).toBeGreaterThanOrEqual(run.startedAt.getTime());
  });
});
