// Unit tests for order pricing: each rule, their order of combination, rounding and invariants.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DomainError } from "@evently/core/errors";
import {
  currentUnitPrice,
  priceOrder,
  slidingScaleRange,
  type PricedTicketType,
  type PriceOrderInput,
} from "@evently/core/ticketing/pricing";

const DEADLINE = new Date("2030-01-01T00:00:00.000Z");
const EARLY = new Date(DEADLINE.getTime() - 1);
const LATE = new Date("2030-06-01T00:00:00.000Z");

const plain: PricedTicketType = {
  priceMinor: 10_000,
  currency: "USD",
  earlyBird: null,
  groupDiscount: null,
  slidingScaleMaxPercent: 75,
};
const tiered: PricedTicketType = {
  ...plain,
  earlyBird: { priceMinor: 8_000, until: DEADLINE },
  groupDiscount: { minQuantity: 5, percent: 10 },
};

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a DomainError");
}

describe("priceOrder", () => {
  type Case = { name: string; input: PriceOrderInput; expected: Record<string, number | boolean> };
  const cases: Case[] = [
    {
      name: "no rules: list price",
      input: { ticketType: plain, quantity: 3, now: LATE },
      expected: { unitPriceMinor: 10_000, listPriceMinor: 30_000, subtotalMinor: 30_000, totalMinor: 30_000 },
    },
    {
      name: "early bird + group + promo percent + sliding scale, each on the remainder",
      // 5 × 8,000 = 40,000; group 10 % → 36,000; promo 20 % → 28,800; sliding 25 % → 21,600
      input: { ticketType: tiered, quantity: 5, promo: { percentOff: 20, amountOffMinor: null }, slidingScalePercent: 25, now: EARLY },
      expected: {
        earlyBirdApplied: true,
        unitPriceMinor: 8_000,
        listPriceMinor: 50_000,
        subtotalMinor: 40_000,
        groupDiscountMinor: 4_000,
        promoDiscountMinor: 7_200,
        slidingScaleDiscountMinor: 7_200,
        totalMinor: 21_600,
      },
    },
    {
      name: "early bird deadline exactly at `until`: not applied",
      input: { ticketType: tiered, quantity: 1, now: DEADLINE },
      expected: { earlyBirdApplied: false, unitPriceMinor: 10_000, subtotalMinor: 10_000, totalMinor: 10_000 },
    },
    {
      name: "group discount needs minQuantity: one short gets none",
      input: { ticketType: tiered, quantity: 4, now: LATE },
      expected: { groupDiscountMinor: 0, totalMinor: 40_000 },
    },
    {
      name: "amount promo larger than the remainder: total 0, discount capped",
      input: { ticketType: plain, quantity: 1, promo: { percentOff: null, amountOffMinor: 25_000 }, slidingScalePercent: 50, now: LATE },
      expected: { promoDiscountMinor: 10_000, slidingScaleDiscountMinor: 0, totalMinor: 0 },
    },
    {
      name: "amount promo is per order, not per ticket; sliding scale applies after it",
      // 3 × 10,000 = 30,000; −2,000 → 28,000; sliding 50 % → 14,000 (sliding first would give 13,000)
      input: { ticketType: plain, quantity: 3, promo: { percentOff: null, amountOffMinor: 2_000 }, slidingScalePercent: 50, now: LATE },
      expected: { promoDiscountMinor: 2_000, slidingScaleDiscountMinor: 14_000, totalMinor: 14_000 },
    },
    {
      name: "33.33 % of one minor unit rounds to nothing",
      input: { ticketType: { ...plain, priceMinor: 1 }, quantity: 1, promo: { percentOff: 33.33, amountOffMinor: null }, now: LATE },
      expected: { promoDiscountMinor: 0, totalMinor: 1 },
    },
    {
      name: "50 % of one minor unit rounds half up, in the buyer's favour",
      input: { ticketType: { ...plain, priceMinor: 1 }, quantity: 1, slidingScalePercent: 50, now: LATE },
      expected: { slidingScaleDiscountMinor: 1, totalMinor: 0 },
    },
    {
      name: "rounding happens per step: 33.33 % group then 33.33 % promo on 999",
      // 999 → 333 (332.97) → 666 → 222 (221.98) → 444
      input: {
        ticketType: { ...plain, priceMinor: 999, groupDiscount: { minQuantity: 1, percent: 33.33 } },
        quantity: 1,
        promo: { percentOff: 33.33, amountOffMinor: null },
        now: LATE,
      },
      expected: { groupDiscountMinor: 333, promoDiscountMinor: 222, totalMinor: 444 },
    },
    {
      name: "an early-bird price above the base price is ignored",
      input: { ticketType: { ...plain, earlyBird: { priceMinor: 12_000, until: DEADLINE } }, quantity: 2, now: EARLY },
      expected: { earlyBirdApplied: false, unitPriceMinor: 10_000, listPriceMinor: 20_000, totalMinor: 20_000 },
    },
    {
      name: "free ticket with every discount stays at 0",
      input: {
        ticketType: { ...tiered, priceMinor: 0, earlyBird: null },
        quantity: 6,
        promo: { percentOff: 100, amountOffMinor: null },
        slidingScalePercent: 75,
        now: LATE,
      },
      expected: { listPriceMinor: 0, totalMinor: 0, groupDiscountMinor: 0 },
    },
  ];

  it.each(cases)("$name", ({ input, expected }) => {
    const result = priceOrder(input);
    expect(result).toMatchObject(expected);
    expect(result.currency).toBe(input.ticketType.currency);
    expect(result.slidingScalePercent).toBe(input.slidingScalePercent ?? 0);
  });

  it.each([
    { slidingScalePercent: 76, max: 75 },
    { slidingScalePercent: 30, max: 25 },
    { slidingScalePercent: -1, max: 75 },
    { slidingScalePercent: 12.345, max: 75 },
    { slidingScalePercent: Number.NaN, max: 75 },
  ])("rejects sliding scale $slidingScalePercent % (type max $max %) as validation_failed", ({ slidingScalePercent, max }) => {
    const err = thrown(() =>
      priceOrder({ ticketType: { ...plain, slidingScaleMaxPercent: max }, quantity: 1, slidingScalePercent, now: LATE }),
    );
    expect(err.code).toBe("validation_failed");
    expect(err.extra).toEqual({ errors: [{ path: "slidingScalePercent", message: err.message }] });
  });

  it("accepts a sliding scale exactly at the type's max", () => {
    const result = priceOrder({ ticketType: { ...plain, slidingScaleMaxPercent: 25 }, quantity: 1, slidingScalePercent: 25, now: LATE });
    expect(result.totalMinor).toBe(7_500);
  });

  it.each([0, -1, 1.5])("rejects quantity %s as invalid_quantity", (quantity) => {
    expect(thrown(() => priceOrder({ ticketType: plain, quantity, now: LATE })).code).toBe("invalid_quantity");
  });

  it("refuses a promo that carries both a percent and an amount", () => {
    expect(() => priceOrder({ ticketType: plain, quantity: 1, promo: { percentOff: 10, amountOffMinor: 100 }, now: LATE })).toThrow(
      RangeError,
    );
  });
});

describe("priceOrder properties", () => {
  const percent = (maxBp: number) => fc.integer({ min: 0, max: maxBp }).map((bp) => bp / 100);
  const minor = fc.integer({ min: 0, max: 100_000_000 });
  const date = fc.date({ min: new Date("2020-01-01"), max: new Date("2040-01-01"), noInvalidDate: true });
  const input = fc
    .record({
      priceMinor: minor,
      currency: fc.constantFrom("USD", "EUR", "GBP", "CAD" as const),
      // early-bird prices above the base price are generated on purpose: the guard must hold
      earlyBird: fc.option(fc.record({ priceMinor: minor, until: date }), { nil: null }),
      groupDiscount: fc.option(fc.record({ minQuantity: fc.integer({ min: 1, max: 50 }), percent: percent(10_000) }), { nil: null }),
      maxBp: fc.integer({ min: 0, max: 7_500 }),
      slidingShare: fc.double({ min: 0, max: 1, noNaN: true }),
      quantity: fc.integer({ min: 1, max: 1_000 }),
      promo: fc.option(
        fc.oneof(
          percent(10_000).map((p) => ({ percentOff: p, amountOffMinor: null })),
          minor.map((a) => ({ percentOff: null, amountOffMinor: a })),
        ),
        { nil: null },
      ),
      now: date,
    })
    .map(({ maxBp, slidingShare, quantity, promo, now, ...type }): PriceOrderInput => ({
      ticketType: { ...type, slidingScaleMaxPercent: maxBp / 100 },
      slidingScalePercent: Math.floor(maxBp * slidingShare) / 100,
      quantity,
      promo,
      now,
    }));

  it("total is an integer with 0 ≤ total ≤ list price, and every discount is a non-negative integer", () => {
    fc.assert(
      fc.property(input, (order) => {
        const r = priceOrder(order);
        const discounts = [r.groupDiscountMinor, r.promoDiscountMinor, r.slidingScaleDiscountMinor];
        for (const value of [r.totalMinor, r.subtotalMinor, r.listPriceMinor, r.unitPriceMinor, ...discounts]) {
          expect(Number.isSafeInteger(value)).toBe(true);
        }
        for (const d of discounts) expect(d).toBeGreaterThanOrEqual(0);
        expect(r.totalMinor).toBeGreaterThanOrEqual(0);
        expect(r.totalMinor).toBeLessThanOrEqual(r.listPriceMinor);
        expect(r.unitPriceMinor).toBeLessThanOrEqual(order.ticketType.priceMinor);
        expect(r.listPriceMinor).toBe(order.ticketType.priceMinor * order.quantity);
        expect(r.subtotalMinor - discounts.reduce((a, b) => a + b, 0)).toBe(r.totalMinor);
      }),
      { numRuns: 500 },
    );
  });
});

describe("currentUnitPrice", () => {
  it("shows the early-bird price until the deadline and the base price from then on", () => {
    expect(currentUnitPrice(tiered, EARLY)).toEqual({ amountMinor: 8_000, currency: "USD" });
    expect(currentUnitPrice(tiered, DEADLINE)).toEqual({ amountMinor: 10_000, currency: "USD" });
    expect(currentUnitPrice({ ...plain, currency: "GBP" }, EARLY)).toEqual({ amountMinor: 10_000, currency: "GBP" });
  });
});

describe("slidingScaleRange", () => {
  it.each([
    [0, "full_price"],
    [0.01, "light"],
    [25, "light"],
    [25.01, "moderate"],
    [50, "moderate"],
    [50.01, "high"],
    [75, "high"],
  ])("%s %% is %s", (percent, range) => {
    expect(slidingScaleRange(percent)).toBe(range);
  });

  it.each([-0.01, 75.01, Number.NaN])("rejects %s", (percent) => {
    expect(() => slidingScaleRange(percent)).toThrow(RangeError);
  });
});
