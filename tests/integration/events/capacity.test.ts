// Capacity and ticket quantity edits never drop below what is taken, also against concurrent
// seat takes: the conditional UPDATE decides, whichever transaction commits first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import type { Trx } from "@evently/core/db/transaction";
import { getEvent, updateEvent } from "@evently/core/events";
import { updateTicketType } from "@evently/core/ticketing/ticket-types";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { makeActor, makeEvent, makeTicketType, seatParticipant, type TestActor } from "../../support/fixtures";

let t: TestDatabase;
let org: TestActor;
let member: TestActor;

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 30 });
  [org, member] = await Promise.all([makeActor(t.db, { role: "organizer" }), makeActor(t.db)]);
});
afterAll(() => t.destroy());

/** What a registration does (docs/ARCHITECTURE.md, invariant 1), in a transaction the test controls. */
const takeSeats = (trx: Trx, eventId: string, n: number) =>
  trx
    .updateTable("events")
    .set({ seatsTaken: sql`seats_taken + ${n}` })
    .where("id", "=", eventId)
    .where(sql<boolean>`seats_taken + ${n} <= capacity`)
    .returning("seatsTaken")
    .executeTakeFirst();

/** Runs `fn` in a transaction that stays open until the returned `finish` is called. */
async function openTransaction<T>(fn: (trx: Trx) => Promise<T>) {
  let finish!: (commit: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (finish = resolve));
  let ready!: (v: T) => void;
  const result = new Promise<T>((resolve) => (ready = resolve));
  const done = t.db
    .transaction()
    .execute(async (trx) => {
      ready(await fn(trx));
      if (!(await decided)) throw new Error("rollback");
    })
    .catch((e: Error) => {
      if (e.message !== "rollback") throw e;
    });
  return {
    result: await result,
    finish: async (commit: boolean) => {
      finish(commit);
      await done;
    },
  };
}

const backendsWaitingOnLocks = async () =>
  Number(
    (
      await sql<{
        n: string;
      }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db)
    ).rows[0]?.n,
  );

async function untilBlocked() {
  for (let i = 0; i < 200 && (await backendsWaitingOnLocks()) === 0; i++) await new Promise((r) => setTimeout(r, 5));
  expect(await backendsWaitingOnLocks()).toBeGreaterThan(0);
}

describe("capacity_below_taken", () => {
  it("refuses a capacity below the seats taken and accepts one equal to it", async () => {
    const event = await makeEvent(t.db, org, { capacity: 10 });
    await seatParticipant(t.db, { eventId: event.id, userId: member.userId, quantity: 4 });
    await expect(updateEvent(t.db, org, event.id, { capacity: 3, title: "Smaller" })).rejects.toMatchObject({
      code: "capacity_below_taken",
    });
    expect(await getEvent(t.db, org, event.id)).toMatchObject({ capacity: 10, title: event.title });
    await expect(updateEvent(t.db, org, event.id, { capacity: 4 })).resolves.toMatchObject({ capacity: 4, seatsTaken: 4 });
  });

  it("re-checks after a concurrent seat take commits (edit waits, then fails)", async () => {
    const event = await makeEvent(t.db, org, { capacity: 10 });
    await seatParticipant(t.db, { eventId: event.id, userId: member.userId, quantity: 5 });
    const seats = await openTransaction((trx) => takeSeats(trx, event.id, 3));
    expect(seats.result).toEqual({ seatsTaken: 8 });
    const edit = updateEvent(t.db, org, event.id, { capacity: 6 });
    const outcome = edit.then(
      () => "ok",
      (e: { code?: string }) => e.code,
    );
    await untilBlocked();
    await seats.finish(true);
    expect(await outcome).toBe("capacity_below_taken");
    expect(await getEvent(t.db, org, event.id)).toMatchObject({ capacity: 10, seatsTaken: 8 });
  });

  it("succeeds when the concurrent seat take rolls back", async () => {
    const event = await makeEvent(t.db, org, { capacity: 10 });
    await seatParticipant(t.db, { eventId: event.id, userId: member.userId, quantity: 5 });
    const seats = await openTransaction((trx) => takeSeats(trx, event.id, 3));
    const edit = updateEvent(t.db, org, event.id, { capacity: 6 });
    await untilBlocked();
    await seats.finish(false);
    await expect(edit).resolves.toMatchObject({ capacity: 6, seatsTaken: 5 });
  });

  it("makes a seat take that waited on the edit see the new capacity", async () => {
    const event = await makeEvent(t.db, org, { capacity: 10 });
    await seatParticipant(t.db, { eventId: event.id, userId: member.userId, quantity: 5 });
    const edit = await openTransaction((trx) =>
      trx.updateTable("events").set({ capacity: 6 }).where("id", "=", event.id).where("seatsTaken", "<=", 6).execute(),
    );
    const take = t.db.transaction().execute((trx) => takeSeats(trx, event.id, 3));
    await untilBlocked();
    await edit.finish(true);
    expect(await take).toBeUndefined();
  });

  it("never lets seats exceed capacity under many concurrent takes and shrinks", async () => {
    const event = await makeEvent(t.db, org, { capacity: 40 });
    const takes = Array.from({ length: 30 }, () => t.db.transaction().execute((trx) => takeSeats(trx, event.id, 1)));
    const shrinks = [35, 30, 25, 20, 15, 10].map((capacity) =>
      updateEvent(t.db, org, event.id, { capacity }).then(
        (e) => e.capacity,
        (e: { code?: string }) => {
          expect(e.code).toBe("capacity_below_taken");
          return null;
        },
      ),
    );
    const [taken, shrunk] = await Promise.all([Promise.all(takes), Promise.all(shrinks)]);
    const final = await getEvent(t.db, org, event.id);
    expect(final.seatsTaken).toBe(taken.filter(Boolean).length);
    expect(final.seatsTaken).toBeLessThanOrEqual(final.capacity);
    // The final capacity is the original or one of the accepted shrinks, never a refused one.
    expect([40, ...shrunk.filter((c) => c !== null)]).toContain(final.capacity);
  });
});

describe("quantity_below_taken", () => {
  it("refuses a ticket quantity below the tickets taken; null (unlimited) is always fine", async () => {
    const event = await makeEvent(t.db, org, { kind: "ticketed", capacity: 50 });
    const tt = await makeTicketType(t.db, org, event.id, { quantity: 10 });
    await seatParticipant(t.db, { eventId: event.id, userId: member.userId, ticketTypeId: tt.id, quantity: 6 });
    await expect(updateTicketType(t.db, org, tt.id, { quantity: 5, name: "Renamed" })).rejects.toMatchObject({
      code: "quantity_below_taken",
    });
    const row = await t.db.selectFrom("ticketTypes").select(["quantity", "name"]).where("id", "=", tt.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ quantity: 10, name: tt.name });
    await expect(updateTicketType(t.db, org, tt.id, { quantity: 6 })).resolves.toMatchObject({ quantity: 6, quantityTaken: 6 });
    await expect(updateTicketType(t.db, org, tt.id, { quantity: null })).resolves.toMatchObject({ quantity: null });
  });

  it("waits for a concurrent ticket take and then refuses", async () => {
    const event = await makeEvent(t.db, org, { kind: "ticketed", capacity: 50 });
    const tt = await makeTicketType(t.db, org, event.id, { quantity: 10 });
    await seatParticipant(t.db, { eventId: event.id, userId: member.userId, ticketTypeId: tt.id, quantity: 4 });
    const take = await openTransaction(async (trx) => {
      await takeSeats(trx, event.id, 3);
      return trx
        .updateTable("ticketTypes")
        .set({ quantityTaken: sql`quantity_taken + 3` })
        .where("id", "=", tt.id)
        .returning("quantityTaken")
        .executeTakeFirst();
    });
    expect(take.result).toEqual({ quantityTaken: 7 });
    const edit = updateTicketType(t.db, org, tt.id, { quantity: 5 }).then(
      () => "ok",
      (e: { code?: string }) => e.code,
    );
    await untilBlocked();
    await take.finish(true);
    expect(await edit).toBe("quantity_below_taken");
  });
});
