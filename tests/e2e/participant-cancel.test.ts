// The organizer's attendee desk cancels one participant through the one settlement path: with a
// full refund by default, without one when asked; bad input and other callers change nothing.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaidEvent, eventually, type PaidEvent } from "../support/paid-event";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
beforeAll(async () => (rt = await startTestRuntime()));
afterAll(() => rt.stop());

/** A paid, active ticket: ordered over HTTP, confirmed at the sandbox, settled by its webhook. */
async function paidTicket(event: PaidEvent, sub: string) {
  const res = await rt.call("POST", `/events/${event.eventId}/orders`, {
    as: { sub },
    headers: { "idempotency-key": randomUUID() },
    body: { ticketTypeId: event.ticketTypeId, quantity: 1 },
  });
  const body = (await res.json()) as { participation: { id: string }; payment: { id: string; providerPaymentId: string } };
  await fetch(`${rt.stripeSandbox!.url}/v1/payment_intents/${body.payment.providerPaymentId}/confirm`, {
    method: "POST",
    headers: { authorization: "Bearer sk_test_local", "content-type": "application/x-www-form-urlencoded" },
    body: "payment_method=pm_card_visa",
  });
  await eventually(async () => (await participation(body.participation.id)).status === "active");
  return { participationId: body.participation.id, paymentId: body.payment.id };
}

const participation = (id: string) =>
  rt.db.selectFrom("participations").select(["status", "cancellationReason"]).where("id", "=", id).executeTakeFirstOrThrow();
const refundsOf = (paymentId: string) =>
  rt.db.selectFrom("refunds").select(["amountMinor", "reason"]).where("paymentId", "=", paymentId).execute();
const cancel = (event: PaidEvent, participationId: string, as: { sub: string; role?: "organizer" | "admin" }, body: unknown) =>
  rt.call("POST", `/events/${event.eventId}/participants/${participationId}/cancel`, { as, body });

describe("POST /events/{eventId}/participants/{participationId}/cancel", () => {
  it("cancels a paid participant with a full refund, frees the seat, and says why", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 2 });
    const ticket = await paidTicket(event, "desk-buyer-1");
    const res = await cancel(
      event,
      ticket.participationId,
      { sub: event.organizerSub, role: "organizer" },
      { reason: "Double booking at the desk" },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("cancelled");
    expect(await participation(ticket.participationId)).toEqual({ status: "cancelled", cancellationReason: "Double booking at the desk" });
    expect(await refundsOf(ticket.paymentId)).toEqual([
      { amountMinor: 2500, reason: "Cancelled by the organizer: Double booking at the desk" },
    ]);
    const ev = await rt.db.selectFrom("events").select("seatsTaken").where("id", "=", event.eventId).executeTakeFirstOrThrow();
    expect(ev.seatsTaken).toBe(0);
  });

  it("cancels without a refund when refund is false", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 2 });
    const ticket = await paidTicket(event, "desk-buyer-2");
    const res = await cancel(
      event,
      ticket.participationId,
      { sub: event.organizerSub, role: "organizer" },
      { reason: "No-show policy applies here", refund: false },
    );
    expect(res.status).toBe(200);
    expect(await refundsOf(ticket.paymentId)).toEqual([]);
    expect((await participation(ticket.participationId)).status).toBe("cancelled");
  });

  it("refuses bad input, other organizers and members, and changes nothing", async () => {
    const event = await createPaidEvent(rt.db, { capacity: 2 });
    const ticket = await paidTicket(event, "desk-buyer-3");
    const organizer = { sub: event.organizerSub, role: "organizer" as const };
    expect((await cancel(event, ticket.participationId, organizer, { reason: "short" })).status).toBe(400);
    expect((await cancel(event, ticket.participationId, organizer, { reason: "Long enough reason", refund: "yes" })).status).toBe(400);
    expect((await cancel(event, randomUUID(), organizer, { reason: "Long enough reason" })).status).toBe(404);
    expect(
      (await cancel(event, ticket.participationId, { sub: `other-${randomUUID()}`, role: "organizer" }, { reason: "Long enough reason" }))
        .status,
    ).toBe(404);
    expect((await cancel(event, ticket.participationId, { sub: "desk-buyer-3" }, { reason: "Long enough reason" })).status).toBe(403);
    expect((await participation(ticket.participationId)).status).toBe("active");
    expect(await refundsOf(ticket.paymentId)).toEqual([]);
    // Twice is a conflict, not a second refund.
    expect((await cancel(event, ticket.participationId, organizer, { reason: "Long enough reason" })).status).toBe(200);
    expect((await cancel(event, ticket.participationId, organizer, { reason: "Long enough reason" })).status).toBe(409);
    expect(await refundsOf(ticket.paymentId)).toHaveLength(1);
  });
});
