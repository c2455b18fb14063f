// Ticket types and promo codes: their rules, the one-currency-per-event rule under concurrency,
// case-insensitive unique codes, and availability derived from them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAvailability, getEvent } from "@evently/core/events";
import { createPromoCode, fromCode } from "@evently/core/ticketing/promo-codes";
import { createTicketType, updateTicketType } from "@evently/core/ticketing/ticket-types";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { inDays, makeActor, makeEvent, makePromoCode, makeTicketType, seatParticipant, type TestActor } from "../../support/fixtures";

let t: TestDatabase;
let org: TestActor;
let otherOrg: TestActor;
let member: TestActor;

beforeAll(async () => {
  t = await createTestDatabase();
  [org, otherOrg, member] = await Promise.all([
    makeActor(t.db, { role: "organizer" }),
    makeActor(t.db, { role: "organizer" }),
    makeActor(t.db),
  ]);
});
afterAll(() => t.destroy());

const ticketed = (overrides = {}) => makeEvent(t.db, org, { kind: "ticketed", capacity: 100, ...overrides });

describe("createTicketType", () => {
  it("creates the API shape with nested early bird and group discount, and default order limits", async () => {
    const event = await ticketed();
    const until = inDays(5);
    const tt = await createTicketType(t.db, org, event.id, {
      name: " VIP ",
      priceMinor: 5000,
      currency: "EUR",
      quantity: 20,
      earlyBird: { priceMinor: 4000, until },
      groupDiscount: { minQuantity: 4, percent: 12.5 },
      slidingScaleMaxPercent: 33.33,
    });
    expect(tt).toEqual({
      id: expect.any(String),
      eventId: event.id,
      name: "VIP",
      priceMinor: 5000,
      currency: "EUR",
      quantity: 20,
      quantityTaken: 0,
      salesStartAt: null,
      salesEndAt: null,
      earlyBird: { priceMinor: 4000, until: new Date(until).toISOString() },
      groupDiscount: { minQuantity: 4, percent: 12.5 },
      slidingScaleMaxPercent: 33.33,
      minPerOrder: 1,
      maxPerOrder: 10,
      sortOrder: 0,
      active: true,
    });
    // Without maxPerOrder, the limit never falls below minPerOrder.
    await expect(makeTicketType(t.db, org, event.id, { currency: "EUR", minPerOrder: 12 })).resolves.toMatchObject({
      minPerOrder: 12,
      maxPerOrder: 12,
    });
  });

  it("checks the rules across fields", async () => {
    const event = await ticketed();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ earlyBird: { priceMinor: 3000, until: inDays(1) } }, "earlyBird.priceMinor"],
      [{ salesStartAt: inDays(2), salesEndAt: inDays(1) }, "salesEndAt"],
      [{ minPerOrder: 5, maxPerOrder: 4 }, "maxPerOrder"],
      [{ slidingScaleMaxPercent: 76 }, "slidingScaleMaxPercent"],
      [{ slidingScaleMaxPercent: 10.005 }, "slidingScaleMaxPercent"],
      [{ groupDiscount: { minQuantity: 2, percent: 101 } }, "groupDiscount.percent"],
      [{ priceMinor: 100_000_001 }, "priceMinor"],
      [{ currency: "JPY" }, "currency"],
    ];
    for (const [overrides, path] of cases) {
      await expect(
        createTicketType(t.db, org, event.id, { name: "x", priceMinor: 2000, currency: "USD", ...overrides } as never),
      ).rejects.toMatchObject({
        code: "validation_failed",
        extra: { errors: [expect.objectContaining({ path })] },
      });
    }
    expect(await t.db.selectFrom("ticketTypes").select("id").where("eventId", "=", event.id).execute()).toEqual([]);
  });

  it("keeps one currency per event, also when two first ticket types race", async () => {
    const event = await ticketed();
    const results = await Promise.allSettled([
      makeTicketType(t.db, org, event.id, { currency: "USD" }),
      makeTicketType(t.db, org, event.id, { currency: "GBP" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({
      reason: { code: "validation_failed", extra: { errors: [{ path: "currency" }] } },
    });
    const only = (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ id: string; currency: string }>).value;
    await expect(makeTicketType(t.db, org, event.id, { currency: only.currency as "USD" })).resolves.toBeDefined();
    await expect(updateTicketType(t.db, org, only.id, { currency: only.currency === "USD" ? "GBP" : "USD" })).rejects.toMatchObject({
      code: "validation_failed",
    });
  });

  it("belongs to ticketed events that are still open, managed by the caller", async () => {
    const rsvp = await makeEvent(t.db, org, { kind: "rsvp" });
    await expect(makeTicketType(t.db, org, rsvp.id)).rejects.toMatchObject({ code: "invalid_state" });
    const cancelled = await ticketed({ status: "cancelled" });
    await expect(makeTicketType(t.db, org, cancelled.id)).rejects.toMatchObject({ code: "invalid_state" });
    const event = await ticketed();
    await expect(makeTicketType(t.db, otherOrg, event.id)).rejects.toMatchObject({ code: "not_found" });
    const tt = await makeTicketType(t.db, org, event.id);
    await expect(updateTicketType(t.db, otherOrg, tt.id, { name: "Mine" })).rejects.toMatchObject({ code: "not_found" });
    await expect(updateTicketType(t.db, member, tt.id, { name: "Mine" })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("updateTicketType", () => {
  it("edits, clears nested rules with null, and checks the merged values", async () => {
    const event = await ticketed();
    const tt = await makeTicketType(t.db, org, event.id, { priceMinor: 3000, earlyBird: { priceMinor: 2000, until: inDays(3) } });
    await expect(updateTicketType(t.db, org, tt.id, { priceMinor: 1500 })).rejects.toMatchObject({
      extra: { errors: [{ path: "earlyBird.priceMinor" }] },
    });
    await expect(
      updateTicketType(t.db, org, tt.id, { priceMinor: 1500, earlyBird: null, groupDiscount: { minQuantity: 3, percent: 10 } }),
    ).resolves.toMatchObject({
      priceMinor: 1500,
      earlyBird: null,
      groupDiscount: { minQuantity: 3, percent: 10 },
    });
    await expect(updateTicketType(t.db, org, tt.id, { salesStartAt: inDays(2), salesEndAt: inDays(1) })).rejects.toMatchObject({
      extra: { errors: [{ path: "salesEndAt" }] },
    });
    await expect(updateTicketType(t.db, org, tt.id, { maxPerOrder: 0 })).rejects.toMatchObject({ code: "validation_failed" });
    await expect(updateTicketType(t.db, org, tt.id, { bogus: 1 } as never)).rejects.toMatchObject({ code: "validation_failed" });
  });
});

describe("availability", () => {
  it("derives what is left, whether it is on sale and today's price", async () => {
    const event = await ticketed({ capacity: 10, waitlistEnabled: true });
    const early = await makeTicketType(t.db, org, event.id, {
      priceMinor: 3000,
      quantity: 4,
      earlyBird: { priceMinor: 2000, until: inDays(1) },
    });
    const later = await makeTicketType(t.db, org, event.id, { priceMinor: 3000, salesStartAt: inDays(2) });
    const off = await makeTicketType(t.db, org, event.id, { priceMinor: 1000, active: false });
    await seatParticipant(t.db, { eventId: event.id, userId: member.userId, ticketTypeId: early.id, quantity: 3 });
    await seatParticipant(t.db, { eventId: event.id, userId: org.userId, status: "waitlisted", ticketTypeId: later.id });

    const availability = await getAvailability(t.db, event.id);
    expect(availability).toEqual({
      capacity: 10,
      seatsTaken: 3,
      available: 7,
      waitlisted: 1,
      ticketTypes: [
        { id: early.id, available: 1, onSale: true, currentPrice: { amountMinor: 2000, currency: "USD" } },
        { id: later.id, available: 7, onSale: false, currentPrice: { amountMinor: 3000, currency: "USD" } },
        { id: off.id, available: 7, onSale: false, currentPrice: { amountMinor: 1000, currency: "USD" } },
      ],
    });
    expect(
      (await getAvailability(t.db, event.id, new Date(inDays(3)))).ticketTypes.map((x) => [x.onSale, x.currentPrice.amountMinor]),
    ).toEqual([
      [true, 3000],
      [true, 3000],
      [false, 1000],
    ]);
    expect((await getEvent(t.db, undefined, event.id)).availability).toEqual(availability);
  });

  it("is 404 for drafts and nothing is on sale once cancelled", async () => {
    const draft = await ticketed({ status: "draft" });
    await expect(getAvailability(t.db, draft.id)).rejects.toMatchObject({ code: "not_found" });
    const event = await ticketed();
    await makeTicketType(t.db, org, event.id);
    const { cancelEvent } = await import("@evently/core/events");
    await cancelEvent(t.db, org, event.id);
    expect((await getAvailability(t.db, event.id)).ticketTypes.map((x) => x.onSale)).toEqual([false]);
  });
});

describe("createPromoCode", () => {
  it("creates percent or amount codes, unique per event regardless of case", async () => {
    const [a, b] = [await ticketed(), await ticketed()];
    const code = await makePromoCode(t.db, org, a.id, { code: " Summer10 ", percentOff: 10, maxUses: 5, validUntil: inDays(30) });
    expect(code).toMatchObject({ code: "Summer10", percentOff: 10, amountOffMinor: null, maxUses: 5, uses: 0, active: true });
    await expect(makePromoCode(t.db, org, a.id, { code: "SUMMER10", amountOffMinor: 500 })).rejects.toMatchObject({ code: "conflict" });
    await expect(makePromoCode(t.db, org, b.id, { code: "summer10", amountOffMinor: 500 })).resolves.toMatchObject({
      amountOffMinor: 500,
      percentOff: null,
    });
    expect((await fromCode(t.db, a.id, "sUmMeR10"))?.id).toBe(code.id);
  });

  it("lets only one of two concurrent identical codes through", async () => {
    const event = await ticketed();
    const results = await Promise.allSettled(
      ["flash", "FLASH", "Flash"].map((c) => createPromoCode(t.db, org, event.id, { code: c, percentOff: 5 })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected")) expect(r).toMatchObject({ reason: { code: "conflict" } });
  });

  it("wants exactly one discount, a sane percent and a valid window", async () => {
    const event = await ticketed();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, "percentOff"],
      [{ percentOff: 10, amountOffMinor: 100 }, "percentOff"],
      [{ percentOff: 0 }, "percentOff"],
      [{ percentOff: 100.5 }, "percentOff"],
      [{ percentOff: 12.345 }, "percentOff"],
      [{ amountOffMinor: 0 }, "amountOffMinor"],
      [{ percentOff: 10, validFrom: inDays(2), validUntil: inDays(1) }, "validUntil"],
      [{ percentOff: 10, code: "x".repeat(65) }, "code"],
    ];
    for (const [overrides, path] of cases) {
      await expect(createPromoCode(t.db, org, event.id, { code: "ok", ...overrides } as never)).rejects.toMatchObject({
        code: "validation_failed",
        extra: { errors: expect.arrayContaining([expect.objectContaining({ path })]) },
      });
    }
    await expect(createPromoCode(t.db, org, event.id, { code: "ok", percentOff: 100 })).resolves.toMatchObject({ percentOff: 100 });
  });
});
