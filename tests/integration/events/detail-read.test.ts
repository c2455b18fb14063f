// GET /events/{id} and /availability read in one statement each, and that statement's JSON-aggregated
// ticket types come back exactly as a plain row read gives them (dates, numerics, order, metadata).
import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAvailability, getEvent } from "@evently/core/events";
import { listForEvent } from "@evently/core/ticketing/ticket-types";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { inDays, makeActor, makeCategory, makeEvent, makeTicketType, seatParticipant, type TestActor } from "../../support/fixtures";

let t: TestDatabase;
let org: TestActor;
let member: TestActor;

beforeAll(async () => {
  t = await createTestDatabase();
  [org, member] = await Promise.all([makeActor(t.db, { role: "organizer" }), makeActor(t.db)]);
});
afterAll(() => t.destroy());

/** The database handle with every statement it sends counted. */
function counted() {
  const sent: string[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      sent.push(args.node.kind);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: t.db.withPlugin(plugin), sent };
}

describe("the event read", () => {
  it("is one statement for GET /events/{id} and one for its availability", async () => {
    const event = await makeEvent(t.db, org, { kind: "ticketed", capacity: 10, waitlistEnabled: true });
    await makeTicketType(t.db, org, event.id, { quantity: 4 });
    await seatParticipant(t.db, { eventId: event.id, userId: member.userId, status: "waitlisted" });

    const detail = counted();
    const read = await getEvent(detail.db, undefined, event.id);
    expect(detail.sent).toEqual(["SelectQueryNode"]);
    expect(read.ticketTypes).toHaveLength(1);
    expect(read.availability.waitlisted).toBe(1);

    const availability = counted();
    expect(await getAvailability(availability.db, event.id)).toEqual(read.availability);
    expect(availability.sent).toEqual(["SelectQueryNode"]);
  });

  it("returns ticket types as a row read does: every field, display order, dates and numerics typed", async () => {
    const [music, jazz] = await Promise.all([makeCategory(t.db), makeCategory(t.db)]);
    const event = await makeEvent(t.db, org, { kind: "ticketed", capacity: 50, categoryIds: [music.id, jazz.id] });
    await makeTicketType(t.db, org, event.id, {
      name: "VIP",
      priceMinor: 5000,
      currency: "EUR",
      quantity: 20,
      sortOrder: 2,
      salesStartAt: inDays(-1),
      salesEndAt: inDays(10),
      earlyBird: { priceMinor: 4000, until: inDays(5) },
      groupDiscount: { minQuantity: 4, percent: 12.5 },
      slidingScaleMaxPercent: 33.33,
    });
    await makeTicketType(t.db, org, event.id, { name: "Floor", priceMinor: 2500, currency: "EUR", sortOrder: 1 });
    await makeTicketType(t.db, org, event.id, { name: "Balcony", priceMinor: 2000, currency: "EUR", sortOrder: 1 });

    const rows = await listForEvent(t.db, event.id);
    const { countersFromId, detailFromId } = await import("@evently/core/events/events.repository");
    const detail = await detailFromId(t.db, event.id);
    expect(detail?.ticketTypes).toEqual(rows);
    expect(detail?.ticketTypes.map((tt) => tt.name)).toEqual(["Floor", "Balcony", "VIP"]);
    expect(detail?.ticketTypes[2]?.salesStartAt).toBeInstanceOf(Date);
    expect(detail?.categoryIds).toEqual([music.id, jazz.id].sort());
    expect((await countersFromId(t.db, event.id))?.ticketTypes).toEqual(rows);
  });

  it("reads an event without ticket types as an empty list, and an unknown or hidden one as 404", async () => {
    const rsvp = await makeEvent(t.db, org);
    const read = await getEvent(t.db, undefined, rsvp.id);
    expect(read.ticketTypes).toEqual([]);
    expect(read.availability).toEqual({ capacity: 100, seatsTaken: 0, available: 100, waitlisted: 0, ticketTypes: [] });

    const draft = await makeEvent(t.db, org, { status: "draft" });
    await expect(getEvent(t.db, member, draft.id)).rejects.toMatchObject({ code: "not_found" });
    expect((await getEvent(t.db, org, draft.id)).id).toBe(draft.id);
    await expect(getEvent(t.db, undefined, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "not_found" });
  });
});
