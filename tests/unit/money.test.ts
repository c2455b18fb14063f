// Unit tests for integer money helpers: percent rounding, basis-point parsing and amount guards.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { assertMinor, CURRENCIES, isCurrency, isValidPercent, money, percentOf, toBasisPoints } from "@evently/core/money";

describe("percentOf", () => {
  it.each([
    { amount: 1, percent: 33.33, expected: 0, why: "0.3333 rounds down" },
    { amount: 1, percent: 50, expected: 1, why: "an exact half rounds up" },
    { amount: 1, percent: 49.99, expected: 0, why: "just under a half rounds down" },
    { amount: 3, percent: 50, expected: 2, why: "1.5 rounds up" },
    { amount: 999, percent: 33.33, expected: 333, why: "332.9667 rounds up" },
    { amount: 2500, percent: 10, expected: 250, why: "exact" },
    { amount: 10_000, percent: 12.5, expected: 1250, why: "exact with one decimal" },
    { amount: 123_456_789, percent: 0.01, expected: 12_346, why: "12,345.6789 rounds up" },
    { amount: 7, percent: 0, expected: 0, why: "zero percent" },
    { amount: 7, percent: 100, expected: 7, why: "everything" },
    { amount: 0, percent: 75, expected: 0, why: "nothing of nothing" },
    { amount: Number.MAX_SAFE_INTEGER, percent: 100, expected: Number.MAX_SAFE_INTEGER, why: "no overflow" },
    { amount: Number.MAX_SAFE_INTEGER, percent: 50, expected: 4_503_599_627_370_496, why: "no overflow, half up" },
  ])("$percent % of $amount = $expected ($why)", ({ amount, percent, expected }) => {
    expect(percentOf(amount, percent)).toBe(expected);
  });

  it("matches an exact BigInt reference for any safe amount and two-decimal percent", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 0, max: 10_000 }), (amount, bp) => {
        const expected = (BigInt(amount) * BigInt(bp) + 5_000n) / 10_000n;
        const actual = percentOf(amount, bp / 100);
        expect(BigInt(actual)).toBe(expected);
        expect(actual).toBeLessThanOrEqual(amount);
      }),
    );
  });

  it.each([-1, 1.5, Number.NaN])("rejects the amount %s", (amount) => {
    expect(() => percentOf(amount, 10)).toThrow(RangeError);
  });

  it.each([-0.01, 100.01, 12.345, Number.NaN, Number.POSITIVE_INFINITY])("rejects the percent %s", (percent) => {
    expect(() => percentOf(100, percent)).toThrow(RangeError);
  });
});

describe("toBasisPoints", () => {
  it.each([
    [33.33, 3333],
    [0.01, 1],
    [0.1, 10],
    [1.15, 115],
    [75, 7500],
    [100, 10_000],
    [0, 0],
  ])("%s %% is %s basis points", (percent, bp) => {
    expect(toBasisPoints(percent)).toBe(bp);
    expect(isValidPercent(percent)).toBe(true);
  });

  it.each([12.345, 0.001, -1, 101, Number.NaN])("%s is not a valid percent", (percent) => {
    expect(isValidPercent(percent)).toBe(false);
    expect(() => toBasisPoints(percent)).toThrow(RangeError);
  });
});

describe("assertMinor", () => {
  it.each([0, 1, 100_000_000, Number.MAX_SAFE_INTEGER])("accepts %s", (n) => {
    expect(assertMinor(n)).toBe(n);
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])("rejects %s", (n) => {
    expect(() => assertMinor(n, "priceMinor")).toThrow(/priceMinor/);
  });
});

describe("currencies", () => {
  it("knows exactly the four supported currencies", () => {
    expect([...CURRENCIES]).toEqual(["USD", "EUR", "GBP", "CAD"]);
    expect(isCurrency("EUR")).toBe(true);
    expect(isCurrency("usd")).toBe(false);
    expect(isCurrency("JPY")).toBe(false);
  });

  it("builds Money only from valid minor units", () => {
    expect(money(2500, "USD")).toEqual({ amountMinor: 2500, currency: "USD" });
    expect(() => money(25.5, "USD")).toThrow(RangeError);
  });
});
