// Core commands carry their input schema: the route contract validates by the command's own rules,
// and the command stays callable exactly as before.
import { describe, expect, it } from "vitest";
import * as z from "zod";
import * as Attendees from "@evently/core/attendees";
import * as Events from "@evently/core/events";
import * as Payments from "@evently/core/payments";
import * as Staff from "@evently/core/staff";
import * as Ticketing from "@evently/core/ticketing";
import * as Tickets from "@evently/core/tickets";
import * as Users from "@evently/core/users";
import { fn } from "@evently/core/shared/fn";
import type { RouteSchema } from "@evently/functions/api/route-schema";
import { addStaff, createComp, participantsCsv } from "@evently/functions/api/attendees";
import { cancelOrder, createOrder } from "@evently/functions/api/orders";
import { cancelRsvp, createCheckIn, eventParticipants, myParticipations, registerRsvp } from "@evently/functions/api/participations";
import { myPayments, refundPayment } from "@evently/functions/api/payments";
import { listVenues } from "@evently/functions/api/places";
import { updateMe } from "@evently/functions/api/system";
import { myTickets, updateTicket } from "@evently/functions/api/tickets";
import { cancelEvent, createEvent, createTicketType, myEvents, updatePromoCode } from "@evently/functions/api/events";

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
  it("every body that a core command validates is that command's own schema", () => {
    const reuse = (routes: RouteSchema[], commands: { schema: z.ZodType }[]) => {
      expect(routes).toHaveLength(commands.length);
      routes.forEach((route, i) => expect(route.body, route.path).toBe(commands[i]?.schema));
    };
    reuse([createOrder, refundPayment, cancelOrder], [Payments.placeOrder, Payments.requestRefund, Payments.cancelOrder]);
    reuse([createEvent, cancelEvent], [Events.createEvent, Events.cancelEvent]);
    reuse([createTicketType, updatePromoCode, createCheckIn], [Ticketing.createTicketType, Ticketing.updatePromoCode, Ticketing.checkIn]);
    reuse([addStaff, createComp], [Staff.addChecker, Attendees.createComp]);
    reuse([updateTicket, updateMe], [Tickets.updateTicketHolder, Users.updateMe]);
  });

  it("list queries keep the core's fields and rules, the event moving to the path and limit parsed from digits", () => {
    const fields = (schema: z.ZodObject) => Object.keys(schema.shape).sort();
    expect(fields(eventParticipants.query)).toEqual(["cursor", "limit", "q", "status"]);
    expect(fields(participantsCsv.query)).toEqual(["q", "status"]);
    expect(eventParticipants.query.shape.status).toBe(Attendees.eventParticipants.schema.shape.status);
    expect(participantsCsv.query.shape.q).toBe(Attendees.participantsCsv.schema.shape.q);
    expect(myTickets.query.shape.cursor).toBe(Tickets.myTickets.schema.shape.cursor);
    expect(myParticipations.query.shape.cursor).toBe(Ticketing.myParticipations.schema.shape.cursor);
    expect(myPayments.query.shape.cursor).toBe(Payments.myPayments.schema.shape.cursor);
    expect(myEvents.query.shape.cursor).toBe(Events.listMyEvents.schema.shape.cursor);
    expect(listVenues.query.shape.cursor).toBe(Events.listVenues.schema.shape.cursor);

    const list = (query: Record<string, string>) => eventParticipants.query.safeParse(query);
    expect(list({ limit: "500", status: "waitlisted", q: "Ann" }).data).toEqual({ limit: 500, status: "waitlisted", q: "Ann" });
    expect([list({ limit: "501" }), list({ status: "gone" }), list({ q: "a\u0000b" }), list({ cursor: "" })].map((r) => r.success)).toEqual(
      [false, false, false, false],
    );
    expect(myTickets.query.safeParse({}).data).toEqual({ limit: 20 });
    expect(myParticipations.query.safeParse({ limit: "101" }).success).toBe(false);
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
