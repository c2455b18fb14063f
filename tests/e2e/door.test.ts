// The README's door walkthrough over HTTP: buy two tickets, give one to a friend, make a checker,
// find the order at the desk, scan both codes at the door, export the list and comp a guest.
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/paid-event";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
let stripe: Stripe;
beforeAll(async () => {
  rt = await startTestRuntime();
  const base = new URL(rt.stripeSandbox!.url);
  stripe = new Stripe("sk_test_e2e", { host: base.hostname, port: Number(base.port), protocol: "http" });
});
afterAll(() => rt.stop());

const ORG = { sub: "door-alice", role: "organizer" as const };
const BOB = { sub: "door-bob" };
const CAROL = { sub: "door-carol" };
const ERIN = { sub: "door-erin" };

async function json(
  method: string,
  path: string,
  as: { sub: string; role?: "organizer" } | undefined,
  body?: unknown,
  headers?: Record<string, string>,
) {
  const res = await rt.call(method, path, {
    ...(as ? { as } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(headers ? { headers } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("a paid event at the door", () => {
  it("sells two tickets, assigns one, scans both with a checker, exports and comps", async () => {
    const event = (
      await json("POST", "/events", ORG, {
        title: "Workshop",
        kind: "ticketed",
        startsAt: "2031-03-01T18:00:00Z",
        endsAt: "2031-03-01T20:00:00Z",
        capacity: 20,
      })
    ).body;
    const type = (await json("POST", `/events/${event.id}/ticket-types`, ORG, { name: "General", priceMinor: 2500, currency: "USD" })).body;
    expect((await json("POST", `/events/${event.id}/publish`, ORG)).status).toBe(200);
    for (const who of [CAROL, ERIN]) await json("GET", "/me", who);
    expect((await json("PATCH", "/me", BOB, { name: "Bob Buyer" })).body.name).toBe("Bob Buyer");

    const order = (
      await json("POST", `/events/${event.id}/orders`, BOB, { ticketTypeId: type.id, quantity: 2 }, { "idempotency-key": randomUUID() })
    ).body;
    expect(order.tickets).toEqual([]);
    await stripe.paymentIntents.confirm(order.payment.providerPaymentId, { payment_method: "pm_card_visa" });
    const paid = await eventually(async () => {
      const now = (await json("GET", `/orders/${order.order.id}`, BOB)).body;
      return now.participation.status === "active" && now;
    });
    expect(paid.tickets).toHaveLength(2);

    const mine = (await json("GET", "/me/tickets", BOB)).body.items as { id: string; code: string; holderName: string }[];
    expect(mine.map((t) => t.holderName)).toEqual(["Bob Buyer", "Bob Buyer"]);
    const given = await json("PATCH", `/tickets/${mine[1]!.id}`, BOB, { holderName: "Dana Friend", holderEmail: "dana@example.test" });
    expect(given).toMatchObject({ status: 200, body: { holderName: "Dana Friend", holderEmail: "dana@example.test", status: "valid" } });
    const qr = await rt.call("GET", `/tickets/${mine[1]!.id}/qr.svg`, { as: BOB });
    expect(await qr.text()).toMatch(/^<svg/);

    expect((await json("POST", `/events/${event.id}/staff`, ORG, { email: "door-carol@example.test" })).status).toBe(201);
    const found = (await json("GET", `/events/${event.id}/participants?q=dana`, CAROL)).body.items;
    expect(found).toEqual([
      expect.objectContaining({
        orderId: order.order.id,
        paymentId: order.payment.id,
        paymentStatus: "completed",
        user: expect.objectContaining({ name: "Bob Buyer" }),
      }),
    ]);
    for (const ticket of mine) expect((await json("POST", `/events/${event.id}/check-ins`, CAROL, { code: ticket.code })).status).toBe(201);
    expect((await json("POST", `/events/${event.id}/check-ins`, CAROL, { code: mine[0]!.code })).status).toBe(200);

    const csv = await (await rt.call("GET", `/events/${event.id}/participants.csv`, { as: ORG })).text();
    expect(csv).toContain(`Bob Buyer,door-bob@example.test,active,General,2,50.00,USD,completed,`);
    const comp = await json("POST", `/events/${event.id}/comps`, ORG, { email: "door-erin@example.test", quantity: 1 });
    expect(comp).toMatchObject({
      status: 201,
      body: { status: "active", tickets: [{ status: "valid", holderEmail: "door-erin@example.test" }] },
    });
    expect((await json("GET", `/events/${event.id}/availability`, undefined)).body).toMatchObject({ seatsTaken: 3 });
  });
});
