// Unit tests for sales rules: sales windows, per-order quantity limits, promo usability and codes.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DomainError, type ErrorCode } from "@evently/core/errors";
import {
  assertOnSale,
  assertPromoUsable,
  assertQuantityAllowed,
  isOnSale,
  normalizePromoCode,
  type PromoRules,
  type SalesWindow,
} from "@evently/core/ticketing/sales-rules";

const NOW = new Date("2030-03-01T12:00:00.000Z");
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

/** The DomainError code `fn` throws, or null when it passes. */
function codeOf(fn: () => void): ErrorCode | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
}

describe("assertOnSale / isOnSale", () => {
  const open: SalesWindow = { active: true, salesStartAt: null, salesEndAt: null };
  it.each([
    { name: "active, no window", type: open, onSale: true },
    { name: "inactive", type: { ...open, active: false }, onSale: false },
    { name: "starts in 1 ms", type: { ...open, salesStartAt: at(1) }, onSale: false },
    { name: "starts exactly now", type: { ...open, salesStartAt: NOW }, onSale: true },
    { name: "ends in 1 ms", type: { ...open, salesEndAt: at(1) }, onSale: true },
    { name: "ends exactly now", type: { ...open, salesEndAt: NOW }, onSale: false },
    { name: "inside the window", type: { ...open, salesStartAt: at(-1000), salesEndAt: at(1000) }, onSale: true },
    { name: "inside the window but inactive", type: { active: false, salesStartAt: at(-1000), salesEndAt: at(1000) }, onSale: false },
    { name: "event starts in 1 ms", type: { ...open, eventStartsAt: at(1) }, onSale: true },
    { name: "event started exactly now", type: { ...open, eventStartsAt: NOW }, onSale: false },
    { name: "type window open past the start", type: { ...open, salesEndAt: at(1000), eventStartsAt: at(-1) }, onSale: false },
  ])("$name → on sale: $onSale", ({ type, onSale }) => {
    expect(isOnSale(type, NOW)).toBe(onSale);
    expect(codeOf(() => assertOnSale(type, NOW))).toBe(onSale ? null : "not_on_sale");
  });

  it("the boolean and the throwing check always agree", () => {
    const maybeDate = fc.option(fc.integer({ min: -5, max: 5 }).map(at), { nil: null });
    fc.assert(
      fc.property(fc.boolean(), maybeDate, maybeDate, (active, salesStartAt, salesEndAt) => {
        const type = { active, salesStartAt, salesEndAt };
        expect(codeOf(() => assertOnSale(type, NOW))).toBe(isOnSale(type, NOW) ? null : "not_on_sale");
      }),
    );
  });
});

describe("assertQuantityAllowed", () => {
  it.each([
    { limits: { minPerOrder: null, maxPerOrder: null }, quantity: 1, ok: true },
    { limits: { minPerOrder: null, maxPerOrder: null }, quantity: 500, ok: true },
    { limits: { minPerOrder: null, maxPerOrder: null }, quantity: 0, ok: false },
    { limits: { minPerOrder: null, maxPerOrder: null }, quantity: -1, ok: false },
    { limits: { minPerOrder: null, maxPerOrder: null }, quantity: 1.5, ok: false },
    { limits: { minPerOrder: null, maxPerOrder: null }, quantity: Number.NaN, ok: false },
    { limits: { minPerOrder: 1, maxPerOrder: 4 }, quantity: 4, ok: true },
    { limits: { minPerOrder: 1, maxPerOrder: 4 }, quantity: 5, ok: false },
    { limits: { minPerOrder: 2, maxPerOrder: 4 }, quantity: 2, ok: true },
    { limits: { minPerOrder: 2, maxPerOrder: 4 }, quantity: 1, ok: false },
    { limits: { minPerOrder: 0, maxPerOrder: null }, quantity: 0, ok: false },
  ])("$quantity with $limits.minPerOrder–$limits.maxPerOrder → ok: $ok", ({ limits, quantity, ok }) => {
    expect(codeOf(() => assertQuantityAllowed(limits, quantity))).toBe(ok ? null : "invalid_quantity");
  });

  it("points the client at the quantity field", () => {
    try {
      assertQuantityAllowed({ minPerOrder: 1, maxPerOrder: 4 }, 5);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      const e = err as DomainError;
      expect(e.message).toMatch(/At most 4/);
      expect(e.extra).toEqual({ errors: [{ path: "quantity", message: e.message }] });
    }
  });
});

describe("assertPromoUsable", () => {
  // Every unusable code gets the same answer, so a response reveals nothing about other codes.
  const ONE_ANSWER = "This promo code cannot be used for this order";
  const usable: PromoRules = { active: true, validFrom: null, validUntil: null, maxUses: null, uses: 0 };
  const TYPE = "7d0b7a4e-1a51-4f0e-9c55-2b0a0e1f3c11";
  it.each([
    { name: "active, unlimited", promo: usable, ok: true, reason: null },
    { name: "inactive", promo: { ...usable, active: false }, ok: false, reason: ONE_ANSWER },
    { name: "not valid until 1 ms from now", promo: { ...usable, validFrom: at(1) }, ok: false, reason: ONE_ANSWER },
    { name: "valid from exactly now", promo: { ...usable, validFrom: NOW }, ok: true, reason: null },
    { name: "valid until exactly now", promo: { ...usable, validUntil: NOW }, ok: false, reason: ONE_ANSWER },
    { name: "valid until 1 ms from now", promo: { ...usable, validUntil: at(1) }, ok: true, reason: null },
    { name: "one use left", promo: { ...usable, maxUses: 10, uses: 9 }, ok: true, reason: null },
    { name: "exhausted", promo: { ...usable, maxUses: 10, uses: 10 }, ok: false, reason: ONE_ANSWER },
    { name: "over-used (a race elsewhere)", promo: { ...usable, maxUses: 10, uses: 11 }, ok: false, reason: ONE_ANSWER },
    { name: "max uses 0", promo: { ...usable, maxUses: 0, uses: 0 }, ok: false, reason: ONE_ANSWER },
    { name: "limited to the ticket type ordered", promo: { ...usable, ticketTypeIds: [TYPE] }, ok: true, reason: null },
    {
      name: "limited to other ticket types",
      promo: { ...usable, ticketTypeIds: ["00000000-0000-4000-8000-000000000000"] },
      ok: false,
      reason: ONE_ANSWER,
    },
  ])("$name → ok: $ok", ({ promo, ok, reason }) => {
    expect(codeOf(() => assertPromoUsable(promo, NOW, TYPE))).toBe(ok ? null : "invalid_promo_code");
    if (reason) expect(() => assertPromoUsable(promo, NOW, TYPE)).toThrow(reason);
  });
});

describe("normalizePromoCode", () => {
  it.each([
    ["SUMMER10", "summer10"],
    ["summer10", "summer10"],
    ["  Summer10\t", "summer10"],
    ["Early-Bird 2030", "early-bird 2030"],
  ])("%j → %j", (input, expected) => {
    expect(normalizePromoCode(input)).toBe(expected);
  });

  it("makes matching case-insensitive and idempotent", () => {
    fc.assert(
      fc.property(fc.string(), (code) => {
        const normal = normalizePromoCode(code);
        expect(normalizePromoCode(code.toLowerCase())).toBe(normalizePromoCode(code.toUpperCase()));
        expect(normalizePromoCode(normal)).toBe(normal);
      }),
    );
  });
});
