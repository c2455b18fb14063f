// Core commands carry their input schema: the route contract validates by the command's own rules,
// and the command stays callable exactly as before.
import { describe, expect, it } from "vitest";
import * as z from "zod";
import * as Events from "@evently/core/events";
import * as Payments from "@evently/core/payments";
import * as Ticketing from "@evently/core/ticketing";
import { fn } from "@evently/core/shared/fn";
import { createOrder } from "@evently/functions/api/orders";
import { refundPayment } from "@evently/functions/api/payments";
import { createEvent, createTicketType, updatePromoCode } from "@evently/functions/api/events";
import { cancelRsvp, registerRsvp } from "@evently/functions/api/participations";

describe("fn(schema, impl)", () => {
  it("returns the implementation itself, callable as before, with the schema attached", async () => {
    const schema = z.strictObject({ n: z.number() });
    const impl = async (scale: number, input: { n: number }) => scale * input.n;
    const command = fn(schema, impl);
    expect(command).toBe(impl);
    expect(command.schema).toBe(schema);
    expect(await command(3, { n: 2 })).toBe(6);
  });
});

describe("route contracts reuse the commands' schemas", () => {
  it("order, refund, event, ticket-type and promo-code bodies are the core command's own schema", () => {
    expect(createOrder.body).toBe(Payments.placeOrder.schema);
    expect(refundPayment.body).toBe(Payments.requestRefund.schema);
    expect(createEvent.body).toBe(Events.createEvent.schema);
    expect(createTicketType.body).toBe(Ticketing.createTicketType.schema);
    expect(updatePromoCode.body).toBe(Ticketing.updatePromoCode.schema);
  });

  it("the RSVP bodies are the core commands' own: none for an RSVP, an optional trimmed reason for a cancellation", () => {
    expect(registerRsvp.body).toBe(Ticketing.registerRsvp.schema);
    expect(cancelRsvp.body).toBe(Ticketing.cancelRsvp.schema);
    expect(registerRsvp.body.safeParse({ seats: 2 }).success).toBe(false);
    expect(cancelRsvp.body.parse({ reason: "  Plans changed  " })).toEqual({ reason: "Plans changed" });
    expect(cancelRsvp.body.safeParse({ reason: "   " }).success).toBe(false);
  });

  it("a refund below the core's limits is refused by the route's validation with the core's message", () => {
    const parsed = refundPayment.body.safeParse({ amountMinor: 100, reason: "short" });
    expect(parsed.success).toBe(false);
    const direct = Payments.RefundInput.safeParse({ amountMinor: 100, reason: "short" });
    expect(parsed.error?.issues.map((i) => i.message)).toEqual(direct.error?.issues.map((i) => i.message));
  });

  it("an order's sliding-scale percent keeps the 0–75 range and two decimals", () => {
    const order = (slidingScalePercent: number) =>
      createOrder.body.safeParse({ ticketTypeId: "00000000-0000-4000-8000-000000000000", quantity: 1, slidingScalePercent }).success;
    expect([order(0), order(75), order(12.5), order(33.33)]).toEqual([true, true, true, true]);
    expect([order(-1), order(75.01), order(10.005)]).toEqual([false, false, false]);
  });
});
