// The door over HTTP: scanning a ticket code checks in that ticket once (201, then 200 with the
// first check-in, also under 50 concurrent scans), void tickets are 409, and a checker works the
// door of their event only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeActor, makeEvent, type TestActor } from "../../support/fixtures";
import { call, countBy } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";
import { ticketRows } from "../../support/tickets";

let rt: TestRuntime;
let org: TestActor;
let checker: TestActor;
let eventId: string;
beforeAll(async () => {
  rt = await startTestRuntime();
  org = await makeActor(rt.db, { role: "organizer" });
  checker = await makeActor(rt.db);
  eventId = (await makeEvent(rt.db, org, { kind: "ticketed", capacity: 200 })).id;
  expect((await call(rt, "POST", `/events/${eventId}/staff`, org, { email: checker.email })).status).toBe(201);
});
afterAll(() => rt.stop());

interface Ticket {
  id: string;
  code: string;
  participationId: string;
  checkedInAt: string | null;
}

/** A guest comped `quantity` seats: their participation id and tickets. */
async function comped(quantity: number): Promise<{ guest: TestActor; participationId: string; tickets: Ticket[] }> {
  const guest = await makeActor(rt.db);
  const res = await call(rt, "POST", `/events/${eventId}/comps`, org, { email: guest.email, quantity });
  expect(res.status).toBe(201);
  return { guest, participationId: res.body.id as string, tickets: res.body.tickets as Ticket[] };
}
const scan = (code: string, as: TestActor = checker, event = eventId) => call(rt, "POST", `/events/${event}/check-ins`, as, { code });

describe("check-in by code", () => {
  it("checks in one ticket: 201, then 200 with the first check-in; the party counts as checked in; the other seat scans on its own", async () => {
    const {
      participationId,
      tickets: [mine, friends],
    } = await comped(2);
    const first = await scan(mine!.code);
    expect(first).toEqual({
      status: 201,
      body: expect.objectContaining({
        ticketId: mine!.id,
        participationId,
        eventId,
        checkedInBy: checker.userId,
        checkedInAt: expect.stringMatching(/\.\d{6}Z$/),
      }),
    });
    expect(await scan(mine!.code, org)).toEqual({ status: 200, body: first.body });
    const list = await call(rt, "GET", `/events/${eventId}/participants?status=active`, checker);
    const row = (list.body.items as { id: string; checkedInAt: string | null; tickets: Ticket[] }[]).find((p) => p.id === participationId)!;
    expect(row.checkedInAt).toBe(first.body.checkedInAt);
    expect(row.tickets.map((t) => t.checkedInAt)).toEqual([first.body.checkedInAt, null]);
    expect((await scan(friends!.code)).status).toBe(201);
  });

  it("50 concurrent scans of one code: exactly one 201, 49 identical 200s, one check-in written", async () => {
    const {
      tickets: [ticket],
    } = await comped(1);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => scan(ticket!.code, i % 2 ? checker : org)));
    expect(countBy(results, (r) => String(r.status))).toEqual({ 200: 49, 201: 1 });
    expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect((await ticketRows(rt.db, ticket!.participationId)).filter((t) => t.checkedInAt !== null)).toHaveLength(1);
  });

  it("a void ticket is 409 ticket_void; checking in by participationId still works and checks its tickets in", async () => {
    const event = await makeEvent(rt.db, org);
    const [a, b] = [await makeActor(rt.db), await makeActor(rt.db)];
    await call(rt, "POST", `/events/${event.id}/rsvp`, a);
    const pb = await call(rt, "POST", `/events/${event.id}/rsvp`, b);
    const [voided] = (await call(rt, "GET", "/me/tickets", a)).body.items as Ticket[];
    await call(rt, "DELETE", `/events/${event.id}/rsvp`, a);
    expect(await scan(voided!.code, org, event.id)).toMatchObject({ status: 409, body: { code: "ticket_void" } });
    expect((await ticketRows(rt.db, voided!.participationId))[0]!.checkedInAt).toBeNull();

    const byId = await call(rt, "POST", `/events/${event.id}/check-ins`, org, { participationId: pb.body.id });
    expect(byId.status).toBe(201);
    const [ticket] = await ticketRows(rt.db, pb.body.id as string);
    expect(ticket!.checkedInAt).not.toBeNull();
    const [bTicket] = (await call(rt, "GET", "/me/tickets", b)).body.items as Ticket[];
    expect(await scan(bTicket!.code, org, event.id)).toMatchObject({ status: 200, body: { checkedInAt: byId.body.checkedInAt } });
  });

  it("a checker of this event cannot scan at another event's door (403), and removing them ends it", async () => {
    const other = await makeEvent(rt.db, org);
    const outsider = await makeActor(rt.db);
    await call(rt, "POST", `/events/${other.id}/rsvp`, outsider);
    const [ticket] = (await call(rt, "GET", "/me/tickets", outsider)).body.items as Ticket[];
    expect(await scan(ticket!.code, checker, other.id)).toMatchObject({ status: 403, body: { code: "forbidden" } });

    const temp = await makeActor(rt.db);
    expect((await call(rt, "POST", `/events/${other.id}/staff`, org, { userId: temp.userId })).status).toBe(201);
    expect((await call(rt, "POST", `/events/${other.id}/staff`, org, { userId: temp.userId })).status).toBe(200);
    expect((await scan(ticket!.code, temp, other.id)).status).toBe(201);
    expect(await call(rt, "DELETE", `/events/${other.id}/staff/${temp.userId}`, org)).toMatchObject({
      status: 200,
      body: { userId: temp.userId, role: "checker" },
    });
    expect((await scan(ticket!.code, temp, other.id)).status).toBe(403);
    expect((await call(rt, "DELETE", `/events/${other.id}/staff/${temp.userId}`, org)).status).toBe(404);
  });
});
