// Each database constraint rejects what it exists to reject, by name, and accepts its boundary.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewEvent } from "@evently/core/events/events.table";
import type { NewOrder, NewPayment, NewRefund } from "@evently/core/payments/payments.table";
import type { NewParticipation, NewPromoCode, NewTicketType } from "@evently/core/ticketing/ticketing.table";
import { createTestDatabase, type TestDatabase } from "../../support/db";

let t: TestDatabase;
beforeAll(async () => (t = await createTestDatabase()));
afterAll(() => t.destroy());

/** Fails unless `work` is rejected by exactly the named constraint (pg error field `constraint`). */
async function rejectedBy(work: Promise<unknown>, constraint: string): Promise<void> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a violation of ${constraint}`).toMatchObject({ constraint });
}

const user = async () => (await t.db.insertInto("users").values({ externalId: randomUUID() }).returning("id").executeTakeFirstOrThrow()).id;

async function event(values: Partial<NewEvent> = {}) {
  const row = {
    organizerId: await user(),
    title: "Launch",
    kind: "ticketed",
    capacity: 10,
    startsAt: new Date("2030-01-01T18:00:00Z"),
    endsAt: new Date("2030-01-01T21:00:00Z"),
    ...values,
  } as const;
  return (await t.db.insertInto("events").values(row).returning("id").executeTakeFirstOrThrow()).id;
}

const ticketType = async (values: Partial<NewTicketType> = {}) =>
  t.db.insertInto("ticketTypes").values({ eventId: await event(), name: "General", priceMinor: 2500, currency: "USD", ...values });

const promo = async (values: Partial<NewPromoCode> = {}) =>
  t.db.insertInto("promoCodes").values({ eventId: await event(), code: "SAVE", percentOff: 10, ...values });

const participation = async (values: Partial<NewParticipation> = {}) =>
  t.db.insertInto("participations").values({ eventId: await event(), userId: await user(), kind: "ticket", ...values });

/** An order for a fresh participation, and an insert builder for a payment of it. */
async function order(values: Partial<NewOrder> = {}) {
  const eventId = await event();
  const userId = await user();
  const tt = await t.db
    .insertInto("ticketTypes")
    .values({ eventId, name: "GA", priceMinor: 2500, currency: "USD" })
    .returning("id")
    .executeTakeFirstOrThrow();
  const p = await t.db
    .insertInto("participations")
    .values({ eventId, userId, kind: "ticket", ticketTypeId: tt.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  const row = {
    participationId: p.id,
    eventId,
    userId,
    ticketTypeId: tt.id,
    quantity: 1,
    unitPriceMinor: 2500,
    subtotalMinor: 2500,
    amountMinor: 2500,
    currency: "USD",
    ...values,
  } as const;
  return { eventId, userId, insert: () => t.db.insertInto("orders").values(row).returning("id") };
}

async function payment(values: Partial<NewPayment> = {}) {
  const o = await order();
  const orderId = (await o.insert().executeTakeFirstOrThrow()).id;
  const pay = (more: Partial<NewPayment> = {}) =>
    t.db
      .insertInto("payments")
      .values({ orderId, userId: o.userId, amountMinor: 2500, currency: "USD", ...values, ...more })
      .returning("id");
  return { orderId, pay };
}

const refund = async (values: Partial<NewRefund> = {}) => {
  const paymentId = (await (await payment({ status: "completed" })).pay().executeTakeFirstOrThrow()).id;
  return t.db.insertInto("refunds").values({ paymentId, amountMinor: 500, currency: "USD", reason: "Customer asked nicely", ...values });
};

describe("participations", () => {
  it("allow one row per user and event, and the key arbitrates ON CONFLICT (not deferrable)", async () => {
    const [eventId, userId] = [await event(), await user()];
    const insert = () => t.db.insertInto("participations").values({ eventId, userId, kind: "ticket" });
    const first = await insert().returning("id").executeTakeFirstOrThrow();
    await rejectedBy(insert().execute(), "participations_user_event_key");
    const again = await insert()
      .onConflict((oc) => oc.columns(["userId", "eventId"]).doUpdateSet({ notes: "reactivated" }))
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(again.id).toBe(first.id);
  });

  it.each([
    ["cancelled without cancelledAt", { status: "cancelled" }, "participations_cancelled_at_check"],
    ["refunded without cancelledAt", { status: "refunded" }, "participations_cancelled_at_check"],
    ["active with cancelledAt", { status: "active", cancelledAt: new Date() }, "participations_cancelled_at_check"],
    ["pending without a hold expiry", { status: "pending" }, "participations_hold_check"],
    ["waitlisted without waitlistedAt", { status: "waitlisted" }, "participations_waitlisted_at_check"],
    ["an unknown status", { status: "confirmed" as "active" }, "participations_status_check"],
    ["zero seats", { quantity: 0 }, "participations_quantity_check"],
  ] as const)("reject %s", async (_, values, constraint) => {
    await rejectedBy((await participation(values)).execute(), constraint);
  });

  it("accept cancelled and refunded rows that say when", async () => {
    await (await participation({ status: "cancelled", cancelledAt: new Date() })).execute();
    await (await participation({ status: "refunded", cancelledAt: new Date() })).execute();
  });

  it("reject a ticket type on an RSVP", async () => {
    const tt = await (await ticketType()).returning("id").executeTakeFirstOrThrow();
    await rejectedBy((await participation({ kind: "rsvp", ticketTypeId: tt.id })).execute(), "participations_ticket_type_check");
  });
});

describe("events", () => {
  it("never hold more seats than capacity, nor shrink capacity below the seats taken", async () => {
    const id = await event({ capacity: 3 });
    await t.db.updateTable("events").set({ seatsTaken: 3 }).where("id", "=", id).execute();
    await rejectedBy(t.db.updateTable("events").set({ seatsTaken: 4 }).where("id", "=", id).execute(), "events_seats_taken_check");
    await rejectedBy(t.db.updateTable("events").set({ capacity: 2 }).where("id", "=", id).execute(), "events_seats_taken_check");
    await rejectedBy(t.db.updateTable("events").set({ seatsTaken: -1 }).where("id", "=", id).execute(), "events_seats_taken_check");
  });

  it.each([
    ["an end before the start", { endsAt: new Date("2029-12-31T00:00:00Z") }, "events_time_range_check"],
    ["zero capacity", { capacity: 0 }, "events_capacity_check"],
    ["an empty title", { title: "" }, "events_title_check"],
    ["an unknown kind", { kind: "hybrid" as "rsvp" }, "events_kind_check"],
  ] as const)("reject %s", async (_, values, constraint) => {
    await rejectedBy(event(values), constraint);
  });
});

describe("ticket types", () => {
  it("never sell more than the quantity (unless the quantity is open)", async () => {
    const { id } = await (await ticketType({ quantity: 2 })).returning("id").executeTakeFirstOrThrow();
    await t.db.updateTable("ticketTypes").set({ quantityTaken: 2 }).where("id", "=", id).execute();
    await rejectedBy(
      t.db.updateTable("ticketTypes").set({ quantityTaken: 3 }).where("id", "=", id).execute(),
      "ticket_types_quantity_taken_check",
    );
    await (await ticketType({ quantity: null, quantityTaken: 500 })).execute();
  });

  it.each([
    ["a currency outside the list", { currency: "JPY" as "USD" }, "ticket_types_currency_check"],
    ["an early-bird price without a deadline", { earlyBirdPriceMinor: 1000 }, "ticket_types_early_bird_check"],
    ["an early-bird price above the price", { earlyBirdPriceMinor: 3000, earlyBirdUntil: new Date() }, "ticket_types_early_bird_check"],
    ["a group discount without a minimum", { groupDiscountPercent: 10 }, "ticket_types_group_discount_check"],
    ["a group discount over 100 %", { groupMinQuantity: 5, groupDiscountPercent: 100.01 }, "ticket_types_group_discount_check"],
    ["a sliding scale over 75 %", { slidingScaleMaxPercent: 75.01 }, "ticket_types_sliding_scale_max_percent_check"],
    ["max per order below min", { minPerOrder: 4, maxPerOrder: 3 }, "ticket_types_max_per_order_check"],
    [
      "sales ending before they start",
      { salesStartAt: new Date("2030-01-02"), salesEndAt: new Date("2030-01-01") },
      "ticket_types_sales_window_check",
    ],
  ] as const)("reject %s", async (_, values, constraint) => {
    await rejectedBy((await ticketType(values)).execute(), constraint);
  });
});

describe("promo codes", () => {
  it.each([
    ["both a percent and an amount", { percentOff: 10, amountOffMinor: 500 }, "promo_codes_discount_check"],
    ["neither a percent nor an amount", { percentOff: null }, "promo_codes_discount_check"],
    ["a percent of zero", { percentOff: 0 }, "promo_codes_percent_off_check"],
    ["more uses than allowed", { maxUses: 1, uses: 2 }, "promo_codes_uses_check"],
  ] as const)("reject %s", async (_, values, constraint) => {
    await rejectedBy((await promo(values)).execute(), constraint);
  });

  it("are unique per event regardless of case", async () => {
    const eventId = await event();
    await t.db.insertInto("promoCodes").values({ eventId, code: "Spring", amountOffMinor: 500 }).execute();
    await rejectedBy(
      t.db.insertInto("promoCodes").values({ eventId, code: "SPRING", percentOff: 5 }).execute(),
      "promo_codes_event_code_key",
    );
    await (await promo({ code: "SPRING" })).execute();
  });
});

describe("orders, payments and refunds", () => {
  it("cap the sliding scale at 75 % on orders and payments", async () => {
    await (await order({ slidingScalePercent: 75 })).insert().execute();
    await rejectedBy((await order({ slidingScalePercent: 75.01 })).insert().execute(), "orders_sliding_scale_percent_check");
    await (await payment({ slidingScalePercent: 75 })).pay().execute();
    await rejectedBy((await payment({ slidingScalePercent: 76 })).pay().execute(), "payments_sliding_scale_percent_check");
  });

  it("accept only the four currencies", async () => {
    await rejectedBy((await order({ currency: "JPY" as "USD" })).insert().execute(), "orders_currency_check");
    await rejectedBy((await payment({ currency: "usd" as "USD" })).pay().execute(), "payments_currency_check");
    await rejectedBy((await refund({ currency: "AUD" as "USD" })).execute(), "refunds_currency_check");
  });

  it("never refund more than was paid, and date every refund", async () => {
    const at = new Date();
    await (await payment({ refundedMinor: 2500, refundedAt: at })).pay().execute();
    await rejectedBy((await payment({ refundedMinor: 2501, refundedAt: at })).pay().execute(), "payments_refunded_minor_check");
    await rejectedBy((await payment({ refundedMinor: 100 })).pay().execute(), "payments_refunded_at_check");
  });

  it("allow at most one captured payment per order", async () => {
    const { pay } = await payment();
    await pay({ status: "failed" }).execute();
    await pay({ status: "completed" }).execute();
    await rejectedBy(pay({ status: "completed" }).execute(), "payments_order_completed_key");
    await rejectedBy(pay({ status: "refunded", refundedMinor: 2500, refundedAt: new Date() }).execute(), "payments_order_completed_key");
  });

  it("reject a malformed card_last4 and a reused provider id hash", async () => {
    await rejectedBy((await payment({ cardLast4: "42a1" })).pay().execute(), "payments_card_last4_check");
    await (await payment({ providerPaymentIdHash: "h1" })).pay().execute();
    await rejectedBy((await payment({ providerPaymentIdHash: "h1" })).pay().execute(), "payments_provider_payment_id_hash_key");
  });

  it("require a refund reason of 10 to 1000 characters, trimmed", async () => {
    await (await refund({ reason: "0123456789" })).execute();
    await rejectedBy((await refund({ reason: "Too short" })).execute(), "refunds_reason_check");
    await rejectedBy((await refund({ reason: "   padded     " })).execute(), "refunds_reason_check");
    await rejectedBy((await refund({ reason: "x".repeat(1001) })).execute(), "refunds_reason_check");
    await rejectedBy((await refund({ amountMinor: 0 })).execute(), "refunds_amount_minor_check");
  });

  it("keep paid-for rows from being deleted", async () => {
    const { orderId, pay } = await payment();
    await pay().execute();
    await rejectedBy(t.db.deleteFrom("orders").where("id", "=", orderId).execute(), "payments_order_id_fkey");
  });
});

describe("operational tables", () => {
  it("record each webhook event once and each idempotency key once per user and scope", async () => {
    await t.db.insertInto("webhookEvents").values({ providerEventId: "evt_1", type: "x", status: "processed" }).execute();
    await rejectedBy(
      t.db.insertInto("webhookEvents").values({ providerEventId: "evt_1", type: "x", status: "ignored" }).execute(),
      "webhook_events_provider_event_id_key",
    );
    const key = { userId: await user(), key: "k-1", scope: "orders:create", requestHash: "abc" };
    await t.db.insertInto("idempotencyKeys").values(key).execute();
    await rejectedBy(t.db.insertInto("idempotencyKeys").values(key).execute(), "idempotency_keys_pkey");
    await t.db
      .insertInto("idempotencyKeys")
      .values({ ...key, scope: "refunds:create" })
      .execute();
    await rejectedBy(
      t.db
        .insertInto("idempotencyKeys")
        .values({ ...key, key: "k-2", status: "completed" })
        .execute(),
      "idempotency_keys_response_check",
    );
  });

  it("check a participation in once", async () => {
    const { id } = await (await participation()).returning("id").executeTakeFirstOrThrow();
    await t.db.insertInto("checkIns").values({ participationId: id }).execute();
    await rejectedBy(t.db.insertInto("checkIns").values({ participationId: id }).execute(), "check_ins_participation_id_key");
  });
});
