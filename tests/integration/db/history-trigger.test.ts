// The participations trigger writes one history row per insert and per update, with who and why.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { setAuditContext } from "@evently/core/db/audit-context";
import type { ParticipationUpdate } from "@evently/core/ticketing/ticketing.table";
import { createTestDatabase, type TestDatabase } from "../../support/db";

let t: TestDatabase;
let adminId: string;
let eventId: string;

// One connection, so a setting leaking out of a transaction would be seen by the next one.
beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 1 });
  adminId = await user();
  eventId = (
    await t.db
      .insertInto("events")
      .values({
        organizerId: adminId,
        title: "Meetup",
        kind: "rsvp",
        capacity: 50,
        startsAt: new Date("2030-03-01T18:00:00Z"),
        endsAt: new Date("2030-03-01T20:00:00Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(() => t.destroy());

async function user(): Promise<string> {
  return (await t.db.insertInto("users").values({ externalId: randomUUID() }).returning("id").executeTakeFirstOrThrow()).id;
}

const history = (participationId: string) =>
  t.db.selectFrom("participationHistory").selectAll().where("participationId", "=", participationId).orderBy("createdAt").execute();

const update = (id: string, values: ParticipationUpdate) => t.db.updateTable("participations").set(values).where("id", "=", id).execute();

describe("participation history trigger", () => {
  it("records a creation with the new row and the audit context", async () => {
    const userId = await user();
    const { id } = await t.db.transaction().execute(async (trx) => {
      await setAuditContext(trx, { actorId: adminId, reason: "signed up at the door", ip: "203.0.113.7", userAgent: "vitest" });
      return trx.insertInto("participations").values({ eventId, userId, kind: "rsvp" }).returning("id").executeTakeFirstOrThrow();
    });
    const rows = await history(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actionType: "Created",
      oldValues: null,
      // The app's CamelCasePlugin renames nested JSON keys too; the stored keys are snake_case.
      newValues: { id, userId, eventId, status: "active", quantity: 1 },
      changedBy: adminId,
      changeReason: "signed up at the door",
      ipAddress: "203.0.113.7",
      userAgent: "vitest",
    });
    const { rows: raw } = await sql<{ keys: string[] }>`
      select array(select jsonb_object_keys(new_values) order by 1) as keys
        from participation_history where participation_id = ${id}`.execute(t.db);
    expect(raw[0]?.keys).toEqual(expect.arrayContaining(["event_id", "user_id", "hold_expires_at", "waitlisted_at"]));
  });

  it("records every update with the row before and after, classified by what changed", async () => {
    const { id } = await t.db
      .insertInto("participations")
      .values({ eventId, userId: await user(), kind: "rsvp" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await update(id, { notes: "vegetarian" });
    await update(id, { status: "waitlisted", waitlistedAt: new Date() });
    await update(id, { status: "cancelled", cancelledAt: new Date(), cancellationReason: "plans changed" });
    await update(id, { status: "refunded" });
    await update(id, { status: "active", cancelledAt: null });
    await update(id, { quantity: 1 }); // changes nothing, still an update worth a row

    const rows = await history(id);
    expect(rows.map((r) => r.actionType)).toEqual([
      "Created",
      "Updated",
      "StatusChanged",
      "Cancelled",
      "Refunded",
      "StatusChanged",
      "Updated",
    ]);
    expect(rows[1]).toMatchObject({ oldValues: { notes: null, status: "active" }, newValues: { notes: "vegetarian", status: "active" } });
    expect(rows[2]).toMatchObject({ oldValues: { status: "active" }, newValues: { status: "waitlisted" } });
    expect(rows[3]).toMatchObject({
      oldValues: { status: "waitlisted", cancelledAt: null },
      newValues: { status: "cancelled", cancellationReason: "plans changed" },
    });
    expect(rows[3]?.newValues?.cancelledAt).toEqual(expect.any(String));
    expect(rows[4]).toMatchObject({ oldValues: { status: "cancelled" }, newValues: { status: "refunded" } });
    expect(rows[5]).toMatchObject({ oldValues: { status: "refunded" }, newValues: { status: "active", cancelledAt: null } });
    // Each row's old values are the previous row's new values: nothing in between goes unrecorded.
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.oldValues).toEqual(rows[i - 1]?.newValues);
  });

  it("records each of several updates in one transaction, under that transaction's context", async () => {
    const { id } = await t.db
      .insertInto("participations")
      .values({ eventId, userId: await user(), kind: "rsvp" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.db.transaction().execute(async (trx) => {
      await setAuditContext(trx, { actorId: adminId, reason: "first" });
      await trx.updateTable("participations").set({ notes: "a" }).where("id", "=", id).execute();
      await setAuditContext(trx, { reason: "second" });
      await trx.updateTable("participations").set({ status: "cancelled", cancelledAt: new Date() }).where("id", "=", id).execute();
    });
    const rows = await history(id);
    expect(rows.map((r) => [r.actionType, r.changedBy, r.changeReason])).toEqual([
      ["Created", null, null],
      ["Updated", adminId, "first"],
      ["Cancelled", null, "second"], // a later call replaces the whole context
    ]);
  });

  it("keeps the context inside its transaction: the next one on the connection records no actor", async () => {
    const { id } = await t.db
      .insertInto("participations")
      .values({ eventId, userId: await user(), kind: "rsvp" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.db.transaction().execute(async (trx) => {
      await setAuditContext(trx, { actorId: adminId, reason: "admin edit", ip: "2001:db8::1", userAgent: "ui" });
      await trx.updateTable("participations").set({ notes: "by admin" }).where("id", "=", id).execute();
    });
    await update(id, { notes: "by a job" });
    const last = (await history(id)).at(-1);
    expect(last).toMatchObject({ actionType: "Updated", changedBy: null, changeReason: null, ipAddress: null, userAgent: null });
  });

  it("writes nothing for a rolled-back change", async () => {
    const { id } = await t.db
      .insertInto("participations")
      .values({ eventId, userId: await user(), kind: "rsvp" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await trx.updateTable("participations").set({ notes: "lost" }).where("id", "=", id).execute();
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect((await history(id)).map((r) => r.actionType)).toEqual(["Created"]);
  });

  it("drops an unparseable ip but refuses an actor that is not a user id", async () => {
    const { id } = await t.db
      .insertInto("participations")
      .values({ eventId, userId: await user(), kind: "rsvp" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.db.transaction().execute(async (trx) => {
      await setAuditContext(trx, { actorId: adminId, ip: "not-an-ip" });
      await trx.updateTable("participations").set({ notes: "x" }).where("id", "=", id).execute();
    });
    expect((await history(id)).at(-1)).toMatchObject({ changedBy: adminId, ipAddress: null });
    await expect(t.db.transaction().execute((trx) => setAuditContext(trx, { actorId: "auth0|123" }))).rejects.toThrow(TypeError);
  });
});
