// Bad input to the event routes: always a 4xx problem with a stable code (and `errors[]` for
// validation), never a 5xx, and never a change in the database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { startTestRuntime, type TestRuntime } from "../support/runtime";
import { inDays, makeActor, makeEvent, makePromoCode, makeTicketType, seatParticipant, type TestActor } from "../support/fixtures";

let rt: TestRuntime;
let org: TestActor;
let eventId: string;
let draftId: string;
let ticketTypeId: string;

beforeAll(async () => {
  rt = await startTestRuntime();
  org = await makeActor(rt.db, { role: "organizer" });
  const member = await makeActor(rt.db);
  eventId = (await makeEvent(rt.db, org, { kind: "ticketed", capacity: 10 })).id;
  draftId = (await makeEvent(rt.db, org, { kind: "ticketed", status: "draft" })).id;
  ticketTypeId = (await makeTicketType(rt.db, org, eventId, { quantity: 5 })).id;
  await makePromoCode(rt.db, org, eventId, { code: "TAKEN" });
  await seatParticipant(rt.db, { eventId, userId: member.userId, ticketTypeId, quantity: 4 });
});
afterAll(() => rt.stop());

/** Every row of the tables these routes write, as one comparable value. */
async function snapshot(): Promise<unknown> {
  const { rows } = await sql`
    select (select json_agg(e order by id) from events e) as events,
           (select json_agg(t order by id) from ticket_types t) as ticket_types,
           (select json_agg(p order by id) from promo_codes p) as promo_codes,
           (select json_agg(c order by event_id, category_id) from event_categories c) as event_categories,
           (select count(*) from event_status_history) as history,
           (select json_agg(p order by id) from participations p) as participations`.execute(rt.db);
  return rows[0];
}

const PATH = "__path__";
type Bad = [description: string, body: unknown, status: number, code: string, path?: string];

/** Sends each bad request as the organizer and checks the problem body, then that nothing changed. */
async function expectRejected(method: string, path: string, bads: Bad[]) {
  const before = await snapshot();
  for (const [description, body, status, code, errorPath] of bads) {
    const res = await rt.call(method, path === PATH ? String(body) : path, {
      as: org.as,
      ...(path !== PATH && body !== undefined ? { body } : {}),
    });
    expect(res.headers.get("content-type"), description).toContain("application/problem+json");
    const problem = (await res.json()) as { status: number; code: string; errors?: Array<{ path: string }> };
    expect({ status: res.status, code: problem.code }, description).toEqual({ status, code });
    expect(problem, description).toMatchObject({ type: expect.any(String), title: expect.any(String), detail: expect.any(String), status });
    if (code === "validation_failed") expect(problem.errors?.length, description).toBeGreaterThan(0);
    if (errorPath !== undefined)
      expect(
        problem.errors?.map((e) => e.path),
        description,
      ).toContain(errorPath);
  }
  expect(await snapshot()).toEqual(before);
}

const valid = { title: "Concert", kind: "rsvp", startsAt: inDays(5), endsAt: inDays(5.1), capacity: 50 };

describe("bad input is a 4xx problem and changes nothing", () => {
  it("POST /events", async () => {
    await expectRejected("POST", "/events", [
      ["malformed JSON", "{not json", 400, "validation_failed"],
      ["unknown field", { ...valid, status: "published" }, 400, "validation_failed"],
      ["numeric string", { ...valid, capacity: "50" }, 400, "validation_failed", "capacity"],
      ["capacity 0", { ...valid, capacity: 0 }, 400, "validation_failed", "capacity"],
      ["capacity too big", { ...valid, capacity: 1_000_001 }, 400, "validation_failed", "capacity"],
      ["fractional capacity", { ...valid, capacity: 2.5 }, 400, "validation_failed", "capacity"],
      ["blank title", { ...valid, title: "   " }, 400, "validation_failed", "title"],
      ["long title", { ...valid, title: "x".repeat(201) }, 400, "validation_failed", "title"],
      ["long description", { ...valid, description: "x".repeat(10_001) }, 400, "validation_failed", "description"],
      ["unknown kind", { ...valid, kind: "party" }, 400, "validation_failed", "kind"],
      ["ends before it starts", { ...valid, endsAt: inDays(4) }, 400, "validation_failed", "endsAt"],
      ["time without zone", { ...valid, startsAt: "2031-01-01T10:00:00" }, 400, "validation_failed", "startsAt"],
      ["not a date", { ...valid, startsAt: "next friday" }, 400, "validation_failed", "startsAt"],
      ["bad venue id", { ...valid, venueId: "venue-1" }, 400, "validation_failed", "venueId"],
      ["unknown venue", { ...valid, venueId: crypto.randomUUID() }, 400, "validation_failed", "venueId"],
      ["unknown category", { ...valid, categoryIds: [crypto.randomUUID()] }, 400, "validation_failed", "categoryIds.0"],
      ["negative cutoff", { ...valid, cancellationCutoffHours: -1 }, 400, "validation_failed", "cancellationCutoffHours"],
      ["array body", [valid], 400, "validation_failed"],
      ["missing body (and content type)", undefined, 415, "unsupported_media_type"],
    ]);
  });

  it("GET /events and bad path ids", async () => {
    await expectRejected("GET", PATH, [
      ["limit 0", "/events?limit=0", 400, "validation_failed", "limit"],
      ["limit 101", "/events?limit=101", 400, "validation_failed", "limit"],
      ["limit text", "/events?limit=ten", 400, "validation_failed", "limit"],
      ["bad from", "/events?from=yesterday", 400, "validation_failed", "from"],
      ["foreign cursor", "/events?cursor=abc", 400, "validation_failed", "cursor"],
      ["event id not a uuid", "/events/123", 404, "not_found"],
      ["unknown event", `/events/${crypto.randomUUID()}`, 404, "not_found"],
      ["availability id not a uuid", "/events/x/availability", 404, "not_found"],
      ["report id not a uuid", "/reports/events/x", 404, "not_found"],
    ]);
  });

  it("PATCH /events/{id}", async () => {
    await expectRejected("PATCH", `/events/${eventId}`, [
      ["malformed JSON", "{", 400, "validation_failed"],
      ["kind is fixed", { kind: "rsvp" }, 400, "validation_failed"],
      ["numeric string", { capacity: "50" }, 400, "validation_failed", "capacity"],
      ["ends before it starts", { startsAt: inDays(3), endsAt: inDays(2) }, 400, "validation_failed", "endsAt"],
      ["ends before the stored start", { endsAt: inDays(1) }, 400, "validation_failed", "endsAt"],
      ["null title", { title: null }, 400, "validation_failed", "title"],
      ["capacity below seats taken", { capacity: 3 }, 409, "capacity_below_taken"],
    ]);
    await expectRejected("PATCH", `/events/not-a-uuid`, [["bad id", { title: "x" }, 404, "not_found"]]);
  });

  it("POST /events/{id}/publish and /cancel", async () => {
    await expectRejected("POST", `/events/${eventId}/publish`, [["already published", undefined, 409, "invalid_state"]]);
    await expectRejected("POST", `/events/${draftId}/cancel`, [
      ["reason not a string", { reason: 42 }, 400, "validation_failed", "reason"],
      ["reason too long", { reason: "x".repeat(1_001) }, 400, "validation_failed", "reason"],
      ["unknown field", { refund: false }, 400, "validation_failed"],
      ["malformed JSON", "{", 400, "validation_failed"],
    ]);
    await expectRejected("POST", "/events/nope/cancel", [["bad id", undefined, 404, "not_found"]]);
  });

  it("POST /events/{id}/ticket-types", async () => {
    const tt = { name: "GA", priceMinor: 1000, currency: "USD" };
    await expectRejected("POST", `/events/${eventId}/ticket-types`, [
      ["malformed JSON", "[", 400, "validation_failed"],
      ["numeric string", { ...tt, priceMinor: "1000" }, 400, "validation_failed", "priceMinor"],
      ["negative price", { ...tt, priceMinor: -1 }, 400, "validation_failed", "priceMinor"],
      ["fractional price", { ...tt, priceMinor: 10.5 }, 400, "validation_failed", "priceMinor"],
      ["price too big", { ...tt, priceMinor: 100_000_001 }, 400, "validation_failed", "priceMinor"],
      ["unknown currency", { ...tt, currency: "JPY" }, 400, "validation_failed", "currency"],
      ["other currency than the event's", { ...tt, currency: "EUR" }, 400, "validation_failed", "currency"],
      [
        "early bird above price",
        { ...tt, earlyBird: { priceMinor: 2000, until: inDays(1) } },
        400,
        "validation_failed",
        "earlyBird.priceMinor",
      ],
      ["sales end before start", { ...tt, salesStartAt: inDays(2), salesEndAt: inDays(1) }, 400, "validation_failed", "salesEndAt"],
      ["sliding scale above 75", { ...tt, slidingScaleMaxPercent: 80 }, 400, "validation_failed", "slidingScaleMaxPercent"],
      ["three decimals", { ...tt, groupDiscount: { minQuantity: 2, percent: 10.125 } }, 400, "validation_failed", "groupDiscount.percent"],
      ["min above max", { ...tt, minPerOrder: 5, maxPerOrder: 2 }, 400, "validation_failed", "maxPerOrder"],
      ["quantity 0", { ...tt, quantity: 0 }, 400, "validation_failed", "quantity"],
      ["unknown field", { ...tt, discount: 5 }, 400, "validation_failed"],
      ["unknown nested field", { ...tt, earlyBird: { priceMinor: 500, until: inDays(1), note: "x" } }, 400, "validation_failed"],
    ]);
    const rsvpId = (await makeEvent(rt.db, org)).id;
    await expectRejected("POST", `/events/${rsvpId}/ticket-types`, [["RSVP event", tt, 409, "invalid_state"]]);
  });

  it("PATCH /ticket-types/{id}", async () => {
    await expectRejected("PATCH", `/ticket-types/${ticketTypeId}`, [
      ["below taken", { quantity: 3 }, 409, "quantity_below_taken"],
      ["numeric string", { quantity: "9" }, 400, "validation_failed", "quantity"],
      [
        "early bird above price",
        { earlyBird: { priceMinor: 999_999, until: inDays(1) } },
        400,
        "validation_failed",
        "earlyBird.priceMinor",
      ],
      ["unknown field", { eventId }, 400, "validation_failed"],
      ["malformed JSON", "{]", 400, "validation_failed"],
    ]);
    await expectRejected("PATCH", "/ticket-types/123", [["bad id", { name: "x" }, 404, "not_found"]]);
    await expectRejected("PATCH", `/ticket-types/${crypto.randomUUID()}`, [["unknown id", { name: "x" }, 404, "not_found"]]);
  });

  it("POST /events/{id}/promo-codes", async () => {
    await expectRejected("POST", `/events/${eventId}/promo-codes`, [
      ["duplicate in another case", { code: "taken", percentOff: 5 }, 409, "conflict"],
      ["both discounts", { code: "A", percentOff: 5, amountOffMinor: 100 }, 400, "validation_failed", "percentOff"],
      ["no discount", { code: "A" }, 400, "validation_failed", "percentOff"],
      ["numeric string", { code: "A", percentOff: "5" }, 400, "validation_failed", "percentOff"],
      ["blank code", { code: "  ", percentOff: 5 }, 400, "validation_failed", "code"],
      ["code too long", { code: "C".repeat(65), percentOff: 5 }, 400, "validation_failed", "code"],
      ["percent 0", { code: "A", percentOff: 0 }, 400, "validation_failed", "percentOff"],
      ["amount 0", { code: "A", amountOffMinor: 0 }, 400, "validation_failed", "amountOffMinor"],
      [
        "window backwards",
        { code: "A", percentOff: 5, validFrom: inDays(2), validUntil: inDays(1) },
        400,
        "validation_failed",
        "validUntil",
      ],
      ["malformed JSON", "code=A", 400, "validation_failed"],
    ]);
  });
});
