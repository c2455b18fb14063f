// Events, ticket types, promo codes and reports over HTTP: a whole organizer flow, who may call
// what (docs/API.md "Authentication and roles"), and bad input as 4xx problems that leave the database untouched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../support/runtime";
import { inDays, makeActor, makeEvent, makeTicketType, seatParticipant, type TestActor } from "../support/fixtures";

let rt: TestRuntime;
let org: TestActor;
let otherOrg: TestActor;
let admin: TestActor;
let member: TestActor;
let otherMember: TestActor;

beforeAll(async () => {
  rt = await startTestRuntime();
  [org, otherOrg, admin, member, otherMember] = await Promise.all([
    makeActor(rt.db, { role: "organizer" }),
    makeActor(rt.db, { role: "organizer" }),
    makeActor(rt.db, { role: "admin" }),
    makeActor(rt.db),
    makeActor(rt.db),
  ]);
  // The other organizer organizes something too: they are a real organizer, just not of ours.
  await makeEvent(rt.db, otherOrg);
});
afterAll(() => rt.stop());

const newEvent = { title: "Jazz night", kind: "ticketed", startsAt: inDays(10), endsAt: inDays(10.1), capacity: 100 };
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });

describe("an organizer's flow", () => {
  it("creates, prices, publishes, lists, sells out a type, cancels and reports an event", async () => {
    const created = await json(
      await rt.call("POST", "/events", { as: org.as, body: { ...newEvent, description: "Live quartet", waitlistEnabled: true } }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: "draft",
      organizerId: org.userId,
      title: "Jazz night",
      categoryIds: [],
      cancellationCutoffHours: 24,
    });
    const id = created.body.id as string;

    const tt = await json(
      await rt.call("POST", `/events/${id}/ticket-types`, {
        as: org.as,
        body: {
          name: "Early",
          priceMinor: 2500,
          currency: "EUR",
          quantity: 2,
          earlyBird: { priceMinor: 2000, until: inDays(5) },
          groupDiscount: { minQuantity: 2, percent: 10 },
          slidingScaleMaxPercent: 50,
        },
      }),
    );
    expect(tt.status).toBe(201);
    expect(tt.body).toMatchObject({
      eventId: id,
      earlyBird: { priceMinor: 2000 },
      groupDiscount: { minQuantity: 2, percent: 10 },
      quantityTaken: 0,
    });
    expect((await rt.call("POST", `/events/${id}/promo-codes`, { as: org.as, body: { code: "JAZZ", amountOffMinor: 500 } })).status).toBe(
      201,
    );

    expect((await rt.call("GET", `/events/${id}`)).status).toBe(404);
    expect((await json(await rt.call("POST", `/events/${id}/publish`, { as: org.as }))).body).toMatchObject({ status: "published" });

    const listed = await json(await rt.call("GET", `/events?q=quartet&limit=5`));
    expect(listed.body).toMatchObject({ items: [{ id }], nextCursor: null });
    const detail = await json(await rt.call("GET", `/events/${id}`));
    expect(detail.body).toMatchObject({
      id,
      ticketTypes: [{ id: tt.body.id, name: "Early" }],
      availability: {
        capacity: 100,
        available: 100,
        ticketTypes: [{ id: tt.body.id, available: 2, onSale: true, currentPrice: { amountMinor: 2000, currency: "EUR" } }],
      },
    });

    await seatParticipant(rt.db, { eventId: id, userId: member.userId, ticketTypeId: tt.body.id as string, quantity: 2 });
    const availability = await json(await rt.call("GET", `/events/${id}/availability`));
    expect(availability.body).toMatchObject({ seatsTaken: 2, available: 98, ticketTypes: [{ available: 0, onSale: true }] });

    const cancelled = await json(await rt.call("POST", `/events/${id}/cancel`, { as: org.as, body: { reason: "Band is ill" } }));
    expect(cancelled.body).toMatchObject({ status: "cancelled", seatsTaken: 0 });
    const report = await json(await rt.call("GET", `/reports/events/${id}`, { as: org.as }));
    expect(report.body).toMatchObject({
      status: "cancelled",
      participations: { active: 0, cancelled: 1 },
      revenue: { byCurrency: [{ currency: "EUR", grossMinor: 0, netMinor: 0 }] },
    });
  });

  it("documents every event route in the OpenAPI document", async () => {
    const doc = (await (await rt.call("GET", "/openapi.json")).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.paths["/events"]?.post?.responses["201"]).toBeDefined();
    expect(doc.paths["/events/{eventId}/ticket-types"]?.post?.responses["201"]).toBeDefined();
    for (const [path, method] of [
      ["/events/{eventId}", "patch"],
      ["/ticket-types/{ticketTypeId}", "patch"],
      ["/reports/events/{eventId}", "get"],
      ["/events/{eventId}/availability", "get"],
    ] as const) {
      expect(doc.paths[path]?.[method]?.responses["200"], `${method} ${path}`).toMatchObject({
        content: { "application/json": { schema: expect.any(Object) } },
      });
    }
  });
});

type Who = "anonymous" | "member" | "otherMember" | "otherOrg" | "organizer" | "admin";
const WHO: readonly Who[] = ["anonymous", "member", "otherMember", "otherOrg", "organizer", "admin"];
const as = (who: Who) =>
  ({ anonymous: undefined, member: member.as, otherMember: otherMember.as, otherOrg: otherOrg.as, organizer: org.as, admin: admin.as })[
    who
  ];

/** 401 without a token, 403 for members (role), 404 for other organizers (not theirs), else `ok`. */
const managed = (ok: number): Record<Who, number> => ({
  anonymous: 401,
  member: 403,
  otherMember: 403,
  otherOrg: 404,
  organizer: ok,
  admin: ok,
});
const everyone = (status: number): Record<Who, number> => ({
  anonymous: status,
  member: status,
  otherMember: status,
  otherOrg: status,
  organizer: status,
  admin: status,
});

interface Case {
  name: string;
  expected: Record<Who, number>;
  /** A fresh target per caller, so state-changing routes are tried on an untouched resource. */
  request(who: Who): Promise<{ method: string; path: string; body?: unknown }>;
}

async function ticketedEvent(status: "draft" | "published" = "published") {
  const event = await makeEvent(rt.db, org, { kind: "ticketed", status });
  await seatParticipant(rt.db, { eventId: event.id, userId: member.userId });
  return event;
}

const cases: Case[] = [
  { name: "GET /events", expected: everyone(200), request: async () => ({ method: "GET", path: "/events" }) },
  {
    name: "POST /events",
    expected: { ...managed(201), otherOrg: 201 },
    request: async () => ({ method: "POST", path: "/events", body: newEvent }),
  },
  {
    name: "GET /events/{id} (published)",
    expected: everyone(200),
    request: async () => ({ method: "GET", path: `/events/${(await ticketedEvent()).id}` }),
  },
  {
    name: "GET /events/{id} (draft)",
    expected: { anonymous: 404, member: 404, otherMember: 404, otherOrg: 404, organizer: 200, admin: 200 },
    request: async () => ({ method: "GET", path: `/events/${(await ticketedEvent("draft")).id}` }),
  },
  {
    name: "PATCH /events/{id}",
    expected: managed(200),
    request: async () => ({ method: "PATCH", path: `/events/${(await ticketedEvent()).id}`, body: { title: "Renamed" } }),
  },
  {
    name: "POST /events/{id}/publish",
    expected: managed(200),
    request: async () => ({ method: "POST", path: `/events/${(await ticketedEvent("draft")).id}/publish` }),
  },
  {
    name: "POST /events/{id}/cancel",
    expected: managed(200),
    request: async () => ({ method: "POST", path: `/events/${(await ticketedEvent()).id}/cancel` }),
  },
  {
    name: "GET /events/{id}/availability (published)",
    expected: everyone(200),
    request: async () => ({ method: "GET", path: `/events/${(await ticketedEvent()).id}/availability` }),
  },
  {
    name: "GET /events/{id}/availability (draft)",
    expected: everyone(404),
    request: async () => ({ method: "GET", path: `/events/${(await ticketedEvent("draft")).id}/availability` }),
  },
  {
    name: "POST /events/{id}/ticket-types",
    expected: managed(201),
    request: async () => ({
      method: "POST",
      path: `/events/${(await ticketedEvent()).id}/ticket-types`,
      body: { name: "GA", priceMinor: 1000, currency: "USD" },
    }),
  },
  {
    name: "PATCH /ticket-types/{id}",
    expected: managed(200),
    request: async () => ({
      method: "PATCH",
      path: `/ticket-types/${(await makeTicketType(rt.db, org, (await ticketedEvent()).id)).id}`,
      body: { priceMinor: 900 },
    }),
  },
  {
    name: "POST /events/{id}/promo-codes",
    expected: managed(201),
    request: async () => ({
      method: "POST",
      path: `/events/${(await ticketedEvent()).id}/promo-codes`,
      body: { code: "SAVE", percentOff: 12.5 },
    }),
  },
  {
    name: "GET /reports/events/{id}",
    expected: managed(200),
    request: async () => ({ method: "GET", path: `/reports/events/${(await ticketedEvent()).id}` }),
  },
];

describe("authorization matrix", () => {
  it.each(cases)("$name", async ({ expected, request }) => {
    const got = await Promise.all(
      WHO.map(async (who) => {
        const r = await request(who);
        const res = await rt.call(r.method, r.path, { as: as(who), ...(r.body !== undefined ? { body: r.body } : {}) });
        if (res.status >= 400) expect(await res.json()).toMatchObject({ status: res.status, code: expect.any(String) });
        return [who, res.status] as const;
      }),
    );
    expect(Object.fromEntries(got)).toEqual(expected);
  });
});
