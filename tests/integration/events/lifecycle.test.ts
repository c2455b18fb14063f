// Event lifecycle through the core services: creation, publication, cancellation and their
// history rows; cancellation cascading to participations and seat counters in one transaction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelEvent, createEvent, getEvent, publishEvent, statusHistory, updateEvent } from "@evently/core/events";
import type { Participation } from "@evently/core/ticketing/ticketing.table";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import {
  inDays,
  makeActor,
  makeCategory,
  makeEvent,
  makeTicketType,
  makeVenue,
  seatParticipant,
  type TestActor,
} from "../../support/fixtures";

let t: TestDatabase;
let org: TestActor;
let otherOrg: TestActor;
let admin: TestActor;
let member: TestActor;

beforeAll(async () => {
  t = await createTestDatabase();
  [org, otherOrg, admin, member] = await Promise.all([
    makeActor(t.db, { role: "organizer" }),
    makeActor(t.db, { role: "organizer" }),
    makeActor(t.db, { role: "admin" }),
    makeActor(t.db),
  ]);
});
afterAll(() => t.destroy());

const base = {
  title: "  Launch party  ",
  kind: "rsvp" as const,
  startsAt: "2031-05-01T18:00:00Z",
  endsAt: "2031-05-01T21:00:00+00:00",
  capacity: 50,
};

describe("createEvent", () => {
  it("creates a trimmed draft with defaults, its categories and a history row with previous null", async () => {
    const [venue, c1, c2] = await Promise.all([makeVenue(t.db), makeCategory(t.db), makeCategory(t.db)]);
    // Duplicates collapse; an id in upper case names the same category.
    const event = await createEvent(t.db, org, { ...base, venueId: venue.id, categoryIds: [c1.id, c2.id.toUpperCase(), c1.id] });
    expect(event).toMatchObject({
      organizerId: org.userId,
      title: "Launch party",
      description: null,
      status: "draft",
      startsAt: "2031-05-01T18:00:00.000Z",
      timezone: "UTC",
      seatsTaken: 0,
      venueId: venue.id,
      waitlistEnabled: false,
      cancellationCutoffHours: 24,
    });
    expect(event.categoryIds).toEqual([c1.id, c2.id].sort());
    expect(await statusHistory(t.db, event.id)).toMatchObject([
      { previousStatus: null, newStatus: "draft", changedBy: org.userId, reason: null },
    ]);
  });

  it("stores time zones in their canonical spelling and blank text as null", async () => {
    const event = await createEvent(t.db, org, { ...base, timezone: " europe/berlin ", description: "   ", location: "" });
    expect(event).toMatchObject({ timezone: "Europe/Berlin", description: null, location: null });
    await expect(
      updateEvent(t.db, org, event.id, { description: "  Bring a torch  ", timezone: "america/new_york" }),
    ).resolves.toMatchObject({
      description: "Bring a torch",
      timezone: "America/New_York",
    });
  });

  it("rejects members, unknown references and ends before starts, writing nothing", async () => {
    const before = await t.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    await expect(createEvent(t.db, member, base)).rejects.toMatchObject({ code: "forbidden" });
    await expect(createEvent(t.db, org, { ...base, categoryIds: [crypto.randomUUID()] })).rejects.toMatchObject({
      code: "validation_failed",
      extra: { errors: [{ path: "categoryIds.0", message: "No such category" }] },
    });
    await expect(createEvent(t.db, org, { ...base, venueId: crypto.randomUUID() })).rejects.toMatchObject({
      extra: { errors: [{ path: "venueId" }] },
    });
    await expect(createEvent(t.db, org, { ...base, endsAt: base.startsAt })).rejects.toMatchObject({
      extra: { errors: [{ path: "endsAt" }] },
    });
    await expect(createEvent(t.db, org, { ...base, timezone: "Mars/Olympus" })).rejects.toMatchObject({
      extra: { errors: [{ path: "timezone" }] },
    });
    const after = await t.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });
});

describe("publishEvent", () => {
  it("moves draft → published once, with history; again is invalid_state", async () => {
    const draft = await makeEvent(t.db, org, { status: "draft" });
    const published = await publishEvent(t.db, org, draft.id);
    expect(published.status).toBe("published");
    await expect(publishEvent(t.db, org, draft.id)).rejects.toMatchObject({ code: "invalid_state" });
    expect((await statusHistory(t.db, draft.id)).map((h) => [h.previousStatus, h.newStatus, h.changedBy])).toEqual([
      [null, "draft", org.userId],
      ["draft", "published", org.userId],
    ]);
  });

  it("is 404 for another organizer and allowed for an admin", async () => {
    const draft = await makeEvent(t.db, org, { status: "draft" });
    await expect(publishEvent(t.db, otherOrg, draft.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(publishEvent(t.db, admin, draft.id)).resolves.toMatchObject({ status: "published" });
    expect((await statusHistory(t.db, draft.id)).at(-1)).toMatchObject({ changedBy: admin.userId });
  });
});

describe("getEvent visibility", () => {
  it("shows drafts only to their organizer and admins, published events to everyone", async () => {
    const draft = await makeEvent(t.db, org, { status: "draft" });
    for (const who of [undefined, member, otherOrg])
      await expect(getEvent(t.db, who, draft.id)).rejects.toMatchObject({ code: "not_found" });
    for (const who of [org, admin]) await expect(getEvent(t.db, who, draft.id)).resolves.toMatchObject({ id: draft.id, ticketTypes: [] });
    await publishEvent(t.db, org, draft.id);
    await expect(getEvent(t.db, undefined, draft.id)).resolves.toMatchObject({
      availability: { capacity: 100, available: 100, waitlisted: 0 },
    });
  });

  it("keeps a cancelled event public only if it had been published", async () => {
    const wasPublic = await makeEvent(t.db, org, { status: "cancelled" });
    await expect(getEvent(t.db, undefined, wasPublic.id)).resolves.toMatchObject({ status: "cancelled" });
    const draft = await makeEvent(t.db, org, { status: "draft" });
    await cancelEvent(t.db, org, draft.id);
    await expect(getEvent(t.db, member, draft.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(getEvent(t.db, org, draft.id)).resolves.toMatchObject({ status: "cancelled" });
  });
});

describe("cancelEvent", () => {
  it("cancels live participations, releases every seat and records who and why, in one go", async () => {
    const event = await makeEvent(t.db, org, { kind: "ticketed", capacity: 10, waitlistEnabled: true });
    const [vip, general] = [await makeTicketType(t.db, org, event.id, { quantity: 5 }), await makeTicketType(t.db, org, event.id)];
    const users = await Promise.all(Array.from({ length: 6 }, () => makeActor(t.db)));
    const seated = [
      await seatParticipant(t.db, { eventId: event.id, userId: users[0]!.userId, ticketTypeId: vip.id, quantity: 2 }),
      await seatParticipant(t.db, {
        eventId: event.id,
        userId: users[1]!.userId,
        ticketTypeId: general.id,
        status: "pending",
        quantity: 3,
      }),
      await seatParticipant(t.db, { eventId: event.id, userId: users[2]!.userId, ticketTypeId: general.id, status: "waitlisted" }),
    ];
    const untouched = [
      await seatParticipant(t.db, { eventId: event.id, userId: users[3]!.userId, ticketTypeId: vip.id, status: "cancelled" }),
      await seatParticipant(t.db, { eventId: event.id, userId: users[4]!.userId, ticketTypeId: vip.id, status: "refunded" }),
    ];
    const seen: Participation[] = [];
    const cancelled = await cancelEvent(
      t.db,
      org,
      event.id,
      { reason: "  Venue flooded  " },
      {
        onParticipationsCancelled: async (trx, ps, reason) => {
          // The hook runs once, inside the cancelling transaction, and sees its writes.
          const row = await trx.selectFrom("events").select("status").where("id", "=", event.id).executeTakeFirstOrThrow();
          expect(row.status).toBe("cancelled");
          expect(reason).toBe("Venue flooded");
          seen.push(...ps);
        },
      },
    );

    expect(cancelled).toMatchObject({ status: "cancelled", seatsTaken: 0 });
    expect(seen.map((p) => p.id)).toEqual(seated.map((p) => p.id));
    const rows = await t.db.selectFrom("participations").selectAll().where("eventId", "=", event.id).execute();
    for (const p of seated) {
      expect(rows.find((r) => r.id === p.id)).toMatchObject({
        status: "cancelled",
        cancellationReason: "Venue flooded",
        updatedBy: org.userId,
        cancelledAt: expect.any(Date),
      });
    }
    for (const p of untouched) expect(rows.find((r) => r.id === p.id)?.updatedAt).toEqual(p.updatedAt);
    const types = await t.db.selectFrom("ticketTypes").select("quantityTaken").where("eventId", "=", event.id).execute();
    expect(types.map((r) => r.quantityTaken)).toEqual([0, 0]);

    const history = await t.db
      .selectFrom("participationHistory")
      .selectAll()
      .where(
        "participationId",
        "in",
        seated.map((p) => p.id),
      )
      .where("actionType", "=", "Cancelled")
      .execute();
    expect(history).toHaveLength(3);
    for (const h of history) expect(h).toMatchObject({ changedBy: org.userId, changeReason: "Venue flooded" });
    expect((await statusHistory(t.db, event.id)).at(-1)).toMatchObject({
      previousStatus: "published",
      newStatus: "cancelled",
      changedBy: org.userId,
      reason: "Venue flooded",
    });
  });

  it("rolls everything back when a hook fails", async () => {
    const event = await makeEvent(t.db, org, { capacity: 5 });
    const p = await seatParticipant(t.db, { eventId: event.id, userId: member.userId, quantity: 2 });
    await expect(
      cancelEvent(t.db, org, event.id, {}, { onParticipationsCancelled: () => Promise.reject(new Error("refund queue down")) }),
    ).rejects.toThrow("refund queue down");
    const after = await getEvent(t.db, org, event.id);
    expect(after).toMatchObject({ status: "published", seatsTaken: 2 });
    expect(await t.db.selectFrom("participations").select("status").where("id", "=", p.id).executeTakeFirstOrThrow()).toEqual({
      status: "active",
    });
    expect((await statusHistory(t.db, event.id)).map((h) => h.newStatus)).toEqual(["draft", "published"]);
  });

  it("refuses a second cancellation, and edits of a cancelled event", async () => {
    const event = await makeEvent(t.db, org, { status: "cancelled" });
    await expect(cancelEvent(t.db, org, event.id)).rejects.toMatchObject({ code: "invalid_state" });
    await expect(cancelEvent(t.db, org, event.id, { reason: "x".repeat(1_001) })).rejects.toMatchObject({
      code: "validation_failed",
      extra: { errors: [{ path: "reason" }] },
    });
    await expect(updateEvent(t.db, org, event.id, { title: "Back on" })).rejects.toMatchObject({ code: "invalid_state" });
    await expect(publishEvent(t.db, org, event.id)).rejects.toMatchObject({ code: "invalid_state" });
  });

  it("cannot edit a completed event either", async () => {
    const event = await makeEvent(t.db, org);
    await t.db.updateTable("events").set({ status: "completed" }).where("id", "=", event.id).execute();
    await expect(updateEvent(t.db, admin, event.id, { capacity: 500 })).rejects.toMatchObject({ code: "invalid_state" });
    await expect(cancelEvent(t.db, admin, event.id)).rejects.toMatchObject({ code: "invalid_state" });
  });
});

describe("updateEvent", () => {
  it("edits fields, clears nullable ones, replaces categories, and checks a lone endsAt against the stored startsAt", async () => {
    const [c1, c2] = await Promise.all([makeCategory(t.db), makeCategory(t.db)]);
    const event = await makeEvent(t.db, org, { description: "old", location: "Hall A", categoryIds: [c1.id] });
    const edited = await updateEvent(t.db, org, event.id, {
      title: "New title",
      description: null,
      location: null,
      categoryIds: [c2.id],
      capacity: 120,
    });
    expect(edited).toMatchObject({ title: "New title", description: null, location: null, categoryIds: [c2.id], capacity: 120 });
    expect(new Date(edited.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(event.updatedAt).getTime());
    await expect(updateEvent(t.db, org, event.id, { endsAt: inDays(1) })).rejects.toMatchObject({
      code: "validation_failed",
      extra: { errors: [{ path: "endsAt" }] },
    });
    await expect(updateEvent(t.db, otherOrg, event.id, { title: "Hijack" })).rejects.toMatchObject({ code: "not_found" });
    expect((await getEvent(t.db, undefined, event.id)).title).toBe("New title");
  });
});
