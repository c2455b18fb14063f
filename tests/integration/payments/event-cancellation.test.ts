// Cancelling a ticketed event through cancelEvent with the payments hooks: captured payments are
// refunded in full (the rest after earlier refunds), intents still in flight are cancelled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelEvent } from "@evently/core/events";
import { eventCancellationHooks } from "@evently/core/payments/cancellation";
import { runDueTasks } from "@evently/core/payments/provider-tasks";
import { createOrder } from "@evently/core/payments/orders";
import { requestRefund } from "@evently/core/payments/refunds";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { paidOrder, settleRefunds, startPaymentsHarness, type PaymentsHarness } from "./harness";

let h: PaymentsHarness;
let org: TestActor;

beforeAll(async () => {
  h = await startPaymentsHarness();
  org = await makeActor(h.t.db, { role: "organizer" });
});
afterAll(() => h.stop());

describe("eventCancellationHooks", () => {
  it("refunds every captured payment in full, cancels pending intents, and leaves the seat counters at zero", async () => {
    const event = await makeEvent(h.t.db, org, { kind: "ticketed", capacity: 10, waitlistEnabled: true, startsAt: inDays(20) });
    const type = await makeTicketType(h.t.db, org, event.id, { priceMinor: 2500 });
    const [a, b, c, d] = await Promise.all([makeActor(h.t.db), makeActor(h.t.db), makeActor(h.t.db), makeActor(h.t.db)]);
    const full = await paidOrder(h, a, event.id, type.id);
    const partly = await paidOrder(h, b, event.id, type.id, 2);
    const earlier = await requestRefund(h.deps, org, partly.paymentId, { amountMinor: 1000, reason: "Goodwill refund for the view" });
    await settleRefunds(h, [earlier.id]);
    const unpaid = await createOrder(h.deps, c, event.id, { ticketTypeId: type.id, quantity: 1 });
    const declined = await createOrder(h.deps, d, event.id, { ticketTypeId: type.id, quantity: 1 });
    await h.stripe.paymentIntents
      .confirm(declined.payment!.providerPaymentId!, { payment_method: "pm_card_chargeDeclined" })
      .catch(() => undefined);
    await h.drain();

    await cancelEvent(h.t.db, org, event.id, { reason: "Venue flooded" }, eventCancellationHooks(h.deps, org));
    // The cancellation committed the provider work as tasks; the worker (here: one sweep) sends it.
    expect(
      await h.t.db
        .selectFrom("refunds")
        .select("id")
        .where("providerRefundIdHash", "is not", null)
        .where("reason", "like", "Event cancelled%")
        .execute(),
    ).toEqual([]);
    expect(await runDueTasks(h.deps, { budgetMs: 10_000 })).toMatchObject({ succeeded: 4, retried: 0, failed: 0 });

    const refunds = await h.t.db
      .selectFrom("refunds")
      .select(["id", "paymentId", "amountMinor", "status", "reason", "requestedBy", "providerRefundIdHash"])
      .where("paymentId", "in", [full.paymentId, partly.paymentId])
      .where("id", "<>", earlier.id)
      .orderBy("amountMinor")
      .execute();
    expect(refunds).toMatchObject([
      {
        paymentId: full.paymentId,
        amountMinor: 2500,
        status: "processing",
        reason: "Event cancelled: Venue flooded",
        requestedBy: org.userId,
        providerRefundIdHash: expect.any(String),
      },
      { paymentId: partly.paymentId, amountMinor: 4000, status: "processing" },
    ]);
    // The still-open intents were cancelled at the provider by their tasks.
    for (const o of [unpaid, declined])
      expect((await h.stripe.paymentIntents.retrieve(o.payment!.providerPaymentId!)).status).toBe("canceled");
    const orders = await h.t.db.selectFrom("orders").select("status").where("eventId", "=", event.id).execute();
    expect(orders.map((o) => o.status)).toEqual(Array(4).fill("cancelled"));

    await settleRefunds(
      h,
      refunds.map((r) => r.id),
    );
    const payments = await h.t.db
      .selectFrom("payments")
      .select(["id", "status", "refundedMinor"])
      .where("id", "in", [full.paymentId, partly.paymentId, unpaid.payment!.id, declined.payment!.id])
      .execute();
    const byId = new Map(payments.map((p) => [p.id, p]));
    expect(byId.get(full.paymentId)).toMatchObject({ status: "refunded", refundedMinor: 2500 });
    expect(byId.get(partly.paymentId)).toMatchObject({ status: "refunded", refundedMinor: 5000 });
    expect(byId.get(unpaid.payment!.id)).toMatchObject({ status: "cancelled" });
    expect(byId.get(declined.payment!.id)).toMatchObject({ status: "cancelled" });

    // Refunded tickets were already off the counters: nothing is released twice.
    const participations = await h.t.db.selectFrom("participations").select(["id", "status"]).where("eventId", "=", event.id).execute();
    const statusOf = new Map(participations.map((p) => [p.id, p.status]));
    expect([statusOf.get(full.participationId), statusOf.get(partly.participationId)]).toEqual(["refunded", "refunded"]);
    expect(statusOf.get(unpaid.participation.id)).toBe("cancelled");
    expect(await h.t.db.selectFrom("events").select("seatsTaken").where("id", "=", event.id).executeTakeFirstOrThrow()).toEqual({
      seatsTaken: 0,
    });
    expect(await h.t.db.selectFrom("ticketTypes").select("quantityTaken").where("id", "=", type.id).executeTakeFirstOrThrow()).toEqual({
      quantityTaken: 0,
    });
  });

  it("does nothing for a waitlisted buyer who never ordered", async () => {
    const event = await makeEvent(h.t.db, org, { kind: "ticketed", capacity: 1, waitlistEnabled: true, startsAt: inDays(20) });
    const type = await makeTicketType(h.t.db, org, event.id, { priceMinor: 2500 });
    await paidOrder(h, await makeActor(h.t.db), event.id, type.id);
    const waiting = await createOrder(h.deps, await makeActor(h.t.db), event.id, { ticketTypeId: type.id, quantity: 1 });
    expect(waiting.order).toBeNull();
    await cancelEvent(h.t.db, org, event.id, {}, eventCancellationHooks(h.deps, org));
    const refunds = await h.t.db
      .selectFrom("refunds as r")
      .innerJoin("payments as p", "p.id", "r.paymentId")
      .innerJoin("orders as o", "o.id", "p.orderId")
      .select(["r.reason"])
      .where("o.eventId", "=", event.id)
      .execute();
    expect(refunds).toEqual([{ reason: "Event cancelled: cancelled by the organizer" }]);
  });
});
