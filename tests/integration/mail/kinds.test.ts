// Every mail kind is written exactly once per cause, to the right person, with the event's time in
// the event's own timezone and links naming the ids; repeating a cause writes nothing new.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { cancelEvent, updateEvent } from "@evently/core/events";
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { sendReminders } from "@evently/core/mail/event-mail";
import { eventCancellationHooks } from "@evently/core/payments/cancellation";
import { cancelOrder } from "@evently/core/payments/order-lifecycle";
import { createOrder } from "@evently/core/payments/orders";
import { requestRefund } from "@evently/core/payments/refunds";
import { cancelRsvp, registerRsvp } from "@evently/core/ticketing";
import { makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { paidOrder, settleRefunds, startPaymentsHarness, type PaymentsHarness } from "../payments/harness";
import { BASE_URL, outboxOf, recordingMailer, sendPending } from "./support";

let h: PaymentsHarness;
let organizer: TestActor;
beforeAll(async () => {
  h = await startPaymentsHarness();
  organizer = await makeActor(h.t.db, { role: "organizer" });
});
afterAll(() => h.stop());

// 16:00 UTC on a June day is 12:00 in New York (EDT) and 18:00 in Berlin (CEST).
const STARTS = "2030-06-01T16:00:00.000Z";
const ENDS = "2030-06-01T18:00:00.000Z";

describe("RSVP mail", () => {
  it("rsvp_confirmed, waitlist_joined and waitlist_promoted go to the right member once, in the event's timezone", async () => {
    const db = h.t.db;
    const event = await makeEvent(db, organizer, {
      capacity: 1,
      waitlistEnabled: true,
      timezone: "America/New_York",
      startsAt: STARTS,
      endsAt: ENDS,
      location: "Hall A",
    });
    const [alice, bob] = [await makeActor(db), await makeActor(db)];
    const a = await registerRsvp(db, alice, { eventId: event.id });
    const b = await registerRsvp(db, bob, { eventId: event.id });
    expect(b.status).toBe("waitlisted");
    await cancelRsvp(db, alice, { eventId: event.id });
    await cancelRsvp(db, alice, { eventId: event.id }); // a repeat changes nothing

    const mailer = recordingMailer();
    await sendPending(db, mailer);
    const mine = mailer.sent.filter((m) => m.refs.eventId === event.id);
    expect(mine.map((m) => [m.kind, m.to])).toEqual([
      ["rsvp_confirmed", alice.email],
      ["waitlist_joined", bob.email],
      ["waitlist_promoted", bob.email],
    ]);
    for (const m of mine) {
      expect(m.text).toContain("12:00");
      expect(m.text).toContain("EDT");
      expect(m.text).toContain("Hall A");
      expect(m.text).toContain(`${BASE_URL}/events/${event.id}`);
      expect(m.html).toContain(`href="${BASE_URL}/events/${event.id}"`);
      expect(m.subject).toContain(event.title);
    }
    expect(mine[0]!.refs.participationId).toBe(a.id);
    expect(mine[2]!.text).toContain("it is yours");
    // Sending again finds nothing pending: exactly one message per cause.
    await sendPending(db, mailer);
    expect(mailer.sent.filter((m) => m.refs.eventId === event.id)).toHaveLength(3);
  });

  it("event_changed once per edit of time or place, not for other edits; event_cancelled once per participant", async () => {
    const db = h.t.db;
    const event = await makeEvent(db, organizer, { capacity: 5, timezone: "Europe/Berlin", startsAt: STARTS, endsAt: ENDS });
    const people = [await makeActor(db), await makeActor(db)];
    for (const p of people) await registerRsvp(db, p, { eventId: event.id });
    await updateEvent(db, organizer, event.id, { title: "Renamed only" });
    expect(await outboxOf(db, "event_changed").then((r) => r.filter((m) => m.eventId === event.id))).toHaveLength(0);
    await updateEvent(db, organizer, event.id, { startsAt: "2030-06-01T17:00:00.000Z" });
    await updateEvent(db, organizer, event.id, { location: "Room 2" });
    const changed = (await outboxOf(db, "event_changed")).filter((m) => m.eventId === event.id);
    expect(changed).toHaveLength(4);
    expect(new Set(changed.map((m) => m.recipient))).toEqual(new Set(people.map((p) => p.email)));

    await cancelEvent(db, organizer, event.id, { reason: "The venue flooded" });
    const cancelled = (await outboxOf(db, "event_cancelled")).filter((m) => m.eventId === event.id);
    expect(cancelled.map((m) => m.recipient).sort()).toEqual(people.map((p) => p.email).sort());

    const mailer = recordingMailer();
    await sendPending(db, mailer);
    const firstChange = mailer.sent.find((m) => m.kind === "event_changed" && m.refs.eventId === event.id)!;
    // New time 19:00 Berlin, previously 18:00 Berlin.
    expect(firstChange.text).toContain("19:00");
    expect(firstChange.text).toContain("previously");
    expect(firstChange.text).toContain("18:00");
    expect(mailer.sent.find((m) => m.kind === "event_cancelled")!.text).toContain("The venue flooded");
  });

  it("event_reminder once per participation within 24 h of the start, whatever how often the job runs", async () => {
    const db = h.t.db;
    const soon = new Date(Date.now() + 5 * 3_600_000);
    const event = await makeEvent(db, organizer, {
      capacity: 5,
      timezone: "Asia/Tokyo",
      startsAt: soon.toISOString(),
      endsAt: new Date(soon.getTime() + 3_600_000).toISOString(),
    });
    const later = await makeEvent(db, organizer, { capacity: 5, startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    const [p1, p2] = [await makeActor(db), await makeActor(db)];
    for (const p of [p1, p2]) {
      await registerRsvp(db, p, { eventId: event.id });
      await registerRsvp(db, p, { eventId: later.id });
    }
    await cancelRsvp(db, p2, { eventId: event.id });
    await Promise.all([sendReminders(db), sendReminders(db, { batchSize: 1 })]);
    await sendReminders(db);
    const reminders = await outboxOf(db, "event_reminder");
    expect(reminders.map((r) => [r.eventId, r.recipient])).toEqual([[event.id, p1.email]]);
    const mailer = recordingMailer();
    await sendPending(db, mailer);
    const tokyo = new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
      soon,
    );
    expect(mailer.sent.find((m) => m.kind === "event_reminder")!.text).toContain(tokyo);
  });
});

describe("ticket mail", () => {
  it("order_confirmed once even when the payment webhook is delivered again; refund_issued once per refund", async () => {
    const db = h.t.db;
    const event = await makeEvent(db, organizer, {
      kind: "ticketed",
      capacity: 5,
      timezone: "Europe/Berlin",
      startsAt: STARTS,
      endsAt: ENDS,
    });
    const type = await makeTicketType(db, organizer, event.id, { priceMinor: 2500 });
    const buyer = await makeActor(db);
    const paid = await paidOrder(h, buyer, event.id, type.id, 2);
    const succeeded = h.sandbox
      .events()
      .map((r) => r.event)
      .filter((e) => e.type === "payment_intent.succeeded" && (e.data.object as { id: string }).id === paid.intentId);
    await h.drain(succeeded.map((e) => ({ id: e.id, type: e.type, created: e.created, data: { object: e.data.object } })));
    const confirmed = (await outboxOf(db, "order_confirmed")).filter((m) => m.orderId === paid.orderId);
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]!.recipient).toBe(buyer.email);

    const refund = await requestRefund(h.deps, organizer, paid.paymentId, { amountMinor: 1000, reason: "Partial goodwill refund" });
    await settleRefunds(h, [refund.id]);
    await h.drain();
    const refunds = (await outboxOf(db, "refund_issued")).filter((m) => m.refundId === refund.id);
    expect(refunds).toHaveLength(1);

    const mailer = recordingMailer();
    await sendPending(db, mailer);
    const receipt = mailer.sent.find((m) => m.kind === "order_confirmed" && m.refs.orderId === paid.orderId)!;
    expect(receipt.text).toContain("2 × ");
    expect(receipt.text).toContain("$50.00");
    expect(receipt.text).toContain("18:00");
    expect(receipt.text).toContain(`${BASE_URL}/orders/${paid.orderId}`);
    expect(mailer.sent.find((m) => m.kind === "refund_issued")!.text).toContain("$10.00");
    // receipt_email went to the provider with the intent.
    const intent = await h.stripe.paymentIntents.retrieve(paid.intentId);
    expect(intent.receipt_email).toBe(buyer.email);
  });

  it("order_cancelled and hold_expired once per order, to the buyer", async () => {
    const db = h.t.db;
    const event = await makeEvent(db, organizer, {
      kind: "ticketed",
      capacity: 5,
      timezone: "America/New_York",
      startsAt: STARTS,
      endsAt: ENDS,
    });
    const type = await makeTicketType(db, organizer, event.id, { priceMinor: 2500 });
    const [quitter, slow] = [await makeActor(db), await makeActor(db)];
    const cancelled = await createOrder(h.deps, quitter, event.id, { ticketTypeId: type.id, quantity: 1 });
    await cancelOrder(h.deps, quitter, cancelled.order!.id);
    await expect(cancelOrder(h.deps, quitter, cancelled.order!.id)).rejects.toMatchObject({ code: "invalid_state" });
    const held = await createOrder(h.deps, slow, event.id, { ticketTypeId: type.id, quantity: 1 });
    const future = new Date(Date.now() + 3_600_000);
    await expireHolds(h.deps, { batchSize: 10, now: future });
    await expireHolds(h.deps, { batchSize: 10, now: future });
    expect((await outboxOf(db, "order_cancelled")).filter((m) => m.orderId === cancelled.order!.id).map((m) => m.recipient)).toEqual([
      quitter.email,
    ]);
    expect((await outboxOf(db, "hold_expired")).filter((m) => m.orderId === held.order!.id).map((m) => m.recipient)).toEqual([slow.email]);
  });

  it("a waitlisted buyer's promotion mail names the hold's expiry in the event's timezone and the order", async () => {
    const db = h.t.db;
    const event = await makeEvent(db, organizer, {
      kind: "ticketed",
      capacity: 1,
      waitlistEnabled: true,
      timezone: "Europe/Berlin",
      startsAt: STARTS,
      endsAt: ENDS,
    });
    const type = await makeTicketType(db, organizer, event.id, { priceMinor: 2500 });
    const [first, waiter] = [await makeActor(db), await makeActor(db)];
    const one = await createOrder(h.deps, first, event.id, { ticketTypeId: type.id, quantity: 1 });
    const queued = await createOrder(h.deps, waiter, event.id, { ticketTypeId: type.id, quantity: 1 });
    expect(queued.participation.status).toBe("waitlisted");
    await cancelOrder(h.deps, first, one.order!.id);
    const promoted = (await outboxOf(db, "waitlist_promoted")).filter((m) => m.eventId === event.id);
    expect(promoted.map((m) => m.recipient)).toEqual([waiter.email]);
    const hold = await db
      .selectFrom("participations")
      .select("holdExpiresAt")
      .where("id", "=", queued.participation.id)
      .executeTakeFirstOrThrow();
    const mailer = recordingMailer();
    await sendPending(db, mailer);
    const mail = mailer.sent.find((m) => m.kind === "waitlist_promoted" && m.refs.eventId === event.id)!;
    const berlin = new Intl.DateTimeFormat("en-US", {
      timeZone: "Europe/Berlin",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(hold.holdExpiresAt!);
    expect(mail.text).toContain(`until`);
    expect(mail.text).toContain(berlin);
    expect(mail.text).toContain(`${BASE_URL}/orders/${promoted[0]!.orderId}`);
    expect(mail.text).toContain("$25.00");
  });
});

describe("event cancellation of a paid event", () => {
  it("writes event_cancelled, then refund_issued when the refund completes", async () => {
    const db = h.t.db;
    const event = await makeEvent(db, organizer, { kind: "ticketed", capacity: 5, startsAt: STARTS, endsAt: ENDS });
    const type = await makeTicketType(db, organizer, event.id, { priceMinor: 2500 });
    const buyer = await makeActor(db);
    const paid = await paidOrder(h, buyer, event.id, type.id);
    await cancelEvent(db, organizer, event.id, { reason: "Speaker is ill" }, eventCancellationHooks(h.deps, organizer));
    const refund = await db.selectFrom("refunds").select("id").where("paymentId", "=", paid.paymentId).executeTakeFirstOrThrow();
    await settleRefunds(h, [refund.id]);
    const kinds = await db
      .selectFrom("outbox")
      .select(["kind", sql<number>`count(*)::int`.as("n")])
      .where("eventId", "=", event.id)
      .groupBy("kind")
      .execute();
    expect(Object.fromEntries(kinds.map((k) => [k.kind, k.n]))).toEqual({ order_confirmed: 1, event_cancelled: 1, refund_issued: 1 });
  });
});
