// A revoked organizer (a token without the organizer group, still the events' organizer_id)
// manages nothing, on every management route: 403 where the route needs the role, 404 where a
// member may call it but the resource is someone else's. Nothing they try changes a row. The
// same calls by the current organizer succeed, so the setup itself is sound.
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "@evently/functions/routes";
import { makeActor, makeEvent, makePromoCode, makeTicketType, type TestActor } from "../support/fixtures";
import { eventually } from "../support/paid-event";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
let organizer: TestActor;
let revoked: { sub: string; role: "member" };
const ids = {
  event: "",
  draft: "",
  ticketType: "",
  promoCode: "",
  order: "",
  payment: "",
  participation: "",
  ticket: "",
  buyer: "",
  buyerEmail: "",
};

beforeAll(async () => {
  rt = await startTestRuntime();
  organizer = await makeActor(rt.db, { role: "organizer" });
  revoked = { sub: organizer.as.sub, role: "member" };
  const buyer = await makeActor(rt.db);
  const event = await makeEvent(rt.db, organizer, { kind: "ticketed", capacity: 20 });
  const type = await makeTicketType(rt.db, organizer, event.id, { priceMinor: 2500 });
  Object.assign(ids, {
    event: event.id,
    draft: (await makeEvent(rt.db, organizer, { status: "draft" })).id,
    ticketType: type.id,
    promoCode: (await makePromoCode(rt.db, organizer, event.id)).id,
  });

  // A paid order of another user on the organizer's event: what a revoked organizer must not cancel or refund.
  const res = await rt.call("POST", `/events/${event.id}/orders`, {
    as: buyer.as,
    headers: { "idempotency-key": randomUUID() },
    body: { ticketTypeId: type.id, quantity: 1 },
  });
  const placed = (await res.json()) as {
    order: { id: string };
    participation: { id: string };
    payment: { id: string; providerPaymentId: string };
  };
  const base = new URL(rt.stripeSandbox!.url);
  await new Stripe("sk_test_authz", { host: base.hostname, port: Number(base.port), protocol: "http" }).paymentIntents.confirm(
    placed.payment.providerPaymentId,
    { payment_method: "pm_card_visa" },
  );
  await eventually(
    async () =>
      (await rt.db.selectFrom("payments").select("status").where("id", "=", placed.payment.id).executeTakeFirstOrThrow()).status ===
      "completed",
  );
  const ticket = await rt.db
    .selectFrom("tickets")
    .select("id")
    .where("participationId", "=", placed.participation.id)
    .executeTakeFirstOrThrow();
  Object.assign(ids, {
    order: placed.order.id,
    payment: placed.payment.id,
    participation: placed.participation.id,
    ticket: ticket.id,
    buyer: buyer.userId,
    buyerEmail: buyer.email ?? "",
  });
}, 120_000);
afterAll(() => rt.stop());

interface Case {
  route: string;
  path: () => string;
  body?: () => unknown;
  headers?: Record<string, string>;
  /** What a revoked organizer gets (API.md: the role's routes 403; someone else's resource 404). */
  revoked: "403 forbidden" | "404 not_found";
}

const MANAGEMENT: Case[] = [
  {
    route: "POST /events",
    path: () => "/events",
    body: () => ({ title: "Mine again", kind: "rsvp", startsAt: "2030-01-01T10:00:00Z", endsAt: "2030-01-01T12:00:00Z", capacity: 5 }),
    revoked: "403 forbidden",
  },
  { route: "PATCH /events/{eventId}", path: () => `/events/${ids.event}`, body: () => ({ title: "Taken over" }), revoked: "403 forbidden" },
  { route: "POST /events/{eventId}/publish", path: () => `/events/${ids.draft}/publish`, revoked: "403 forbidden" },
  {
    route: "POST /events/{eventId}/cancel",
    path: () => `/events/${ids.event}/cancel`,
    body: () => ({ reason: "Revoked organizer tries to cancel" }),
    revoked: "403 forbidden",
  },
  {
    route: "POST /events/{eventId}/ticket-types",
    path: () => `/events/${ids.event}/ticket-types`,
    body: () => ({ name: "Free for me", priceMinor: 0, currency: "USD" }),
    revoked: "403 forbidden",
  },
  {
    route: "PATCH /ticket-types/{ticketTypeId}",
    path: () => `/ticket-types/${ids.ticketType}`,
    body: () => ({ priceMinor: 1 }),
    revoked: "403 forbidden",
  },
  {
    route: "POST /events/{eventId}/promo-codes",
    path: () => `/events/${ids.event}/promo-codes`,
    body: () => ({ code: "REVOKED100", percentOff: 100 }),
    revoked: "403 forbidden",
  },
  {
    route: "POST /events/{eventId}/check-ins",
    path: () => `/events/${ids.event}/check-ins`,
    body: () => ({ participationId: ids.participation }),
    revoked: "403 forbidden",
  },
  { route: "GET /events/{eventId}/participants", path: () => `/events/${ids.event}/participants`, revoked: "403 forbidden" },
  {
    route: "POST /payments/{paymentId}/refunds",
    path: () => `/payments/${ids.payment}/refunds`,
    headers: { "idempotency-key": randomUUID() },
    body: () => ({ amountMinor: 2500, reason: "Revoked organizer refunds" }),
    revoked: "403 forbidden",
  },
  { route: "GET /reports/events/{eventId}", path: () => `/reports/events/${ids.event}`, revoked: "403 forbidden" },
  { route: "GET /ops/payment-health", path: () => "/ops/payment-health", revoked: "403 forbidden" },
  { route: "GET /events/{eventId}/promo-codes", path: () => `/events/${ids.event}/promo-codes`, revoked: "403 forbidden" },
  {
    route: "PATCH /promo-codes/{promoCodeId}",
    path: () => `/promo-codes/${ids.promoCode}`,
    body: () => ({ active: false }),
    revoked: "403 forbidden",
  },
  { route: "GET /me/events", path: () => "/me/events", revoked: "403 forbidden" },
  { route: "POST /venues", path: () => "/venues", body: () => ({ name: "Revoked organizer's hall" }), revoked: "403 forbidden" },
  { route: "POST /categories", path: () => "/categories", body: () => ({ name: "Revoked", slug: "revoked" }), revoked: "403 forbidden" },
  {
    route: "POST /events/{eventId}/staff",
    path: () => `/events/${ids.event}/staff`,
    body: () => ({ userId: ids.buyer }),
    revoked: "403 forbidden",
  },
  { route: "DELETE /events/{eventId}/staff/{userId}", path: () => `/events/${ids.event}/staff/${ids.buyer}`, revoked: "403 forbidden" },
  { route: "GET /events/{eventId}/participants.csv", path: () => `/events/${ids.event}/participants.csv`, revoked: "403 forbidden" },
  {
    route: "POST /events/{eventId}/comps",
    path: () => `/events/${ids.event}/comps`,
    body: () => ({ email: ids.buyerEmail, quantity: 1 }),
    revoked: "403 forbidden",
  },
  {
    route: "POST /events/{eventId}/participants/{participationId}/cancel",
    path: () => `/events/${ids.event}/participants/${ids.participation}/cancel`,
    body: () => ({ reason: "Revoked organizer cancels a buyer" }),
    revoked: "403 forbidden",
  },
  // Member routes where the organizer of the event (with the role) also manages:
  { route: "GET /events/{eventId}", path: () => `/events/${ids.draft}`, revoked: "404 not_found" },
  { route: "GET /orders/{orderId}", path: () => `/orders/${ids.order}`, revoked: "404 not_found" },
  {
    route: "POST /orders/{orderId}/cancel",
    path: () => `/orders/${ids.order}/cancel`,
    body: () => ({ reason: "Revoked organizer cancels" }),
    revoked: "404 not_found",
  },
  { route: "GET /payments/{paymentId}", path: () => `/payments/${ids.payment}`, revoked: "404 not_found" },
  { route: "GET /tickets/{ticketId}/qr.svg", path: () => `/tickets/${ids.ticket}/qr.svg`, revoked: "404 not_found" },
];

async function call(c: Case, as: TestActor["as"]) {
  const [method] = c.route.split(" ");
  const res = await rt.call(method!, c.path(), { as, ...(c.headers ? { headers: c.headers } : {}), ...(c.body ? { body: c.body() } : {}) });
  // Successes may be CSV or SVG; only problems are read.
  if (res.status < 300) return `${res.status} ok`;
  const body = (await res.json()) as { code?: string };
  return `${res.status} ${String(body.code)}`;
}

/** Every row the management routes could change, for a before/after comparison. */
const snapshot = async () => ({
  events: await rt.db.selectFrom("events").selectAll().orderBy("id").execute(),
  ticketTypes: await rt.db.selectFrom("ticketTypes").selectAll().orderBy("id").execute(),
  promoCodes: await rt.db.selectFrom("promoCodes").selectAll().orderBy("id").execute(),
  participations: await rt.db.selectFrom("participations").selectAll().orderBy("id").execute(),
  orders: await rt.db.selectFrom("orders").selectAll().orderBy("id").execute(),
  payments: await rt.db.selectFrom("payments").selectAll().orderBy("id").execute(),
  refunds: await rt.db.selectFrom("refunds").selectAll().execute(),
  checkIns: await rt.db.selectFrom("checkIns").selectAll().execute(),
  tickets: await rt.db.selectFrom("tickets").selectAll().orderBy("id").execute(),
  staff: await rt.db.selectFrom("eventStaff").selectAll().execute(),
  venues: await rt.db.selectFrom("venues").selectAll().orderBy("id").execute(),
  categories: await rt.db.selectFrom("categories").selectAll().orderBy("id").execute(),
});

describe("a revoked organizer", () => {
  it("covers every route that needs the organizer or admin role", () => {
    const covered = new Set(MANAGEMENT.map((c) => c.route));
    const needRole = routes.filter((r) => r.access === "organizer" || r.access === "admin").map((r) => `${r.method} ${r.path}`);
    expect(needRole.filter((r) => !covered.has(r))).toEqual([]);
  });

  it("manages nothing on any management route, and changes nothing", async () => {
    const before = await snapshot();
    const seen: Record<string, string> = {};
    for (const c of MANAGEMENT) seen[c.route] = await call(c, revoked);
    expect(seen).toEqual(Object.fromEntries(MANAGEMENT.map((c) => [c.route, c.revoked])));
    expect(await snapshot()).toEqual(before);
  });

  it("while the current organizer still reads the same resources", async () => {
    const reads = MANAGEMENT.filter((c) => c.route.startsWith("GET ") && c.route !== "GET /ops/payment-health");
    const seen = Object.fromEntries(await Promise.all(reads.map(async (c) => [c.route, await call(c, organizer.as)] as const)));
    expect(seen).toEqual(Object.fromEntries(reads.map((c) => [c.route, "200 ok"])));
  });
});
