// Bad input on every ticket, door and desk route is a 4xx problem that changes nothing (DESIGN
// invariant 7): malformed JSON, wrong types, unknown fields, NUL, bad ids, unknown users and types.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { call } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";

let rt: TestRuntime;
let org: TestActor;
let owner: TestActor;
let eventId: string;
let ticketId: string;
let otherTypeId: string;

beforeAll(async () => {
  rt = await startTestRuntime();
  org = await makeActor(rt.db, { role: "organizer" });
  owner = await makeActor(rt.db);
  eventId = (await makeEvent(rt.db, org, { kind: "ticketed", capacity: 10 })).id;
  const otherEvent = await makeEvent(rt.db, org, { kind: "ticketed" });
  otherTypeId = (await makeTicketType(rt.db, org, otherEvent.id)).id;
  await call(rt, "POST", `/events/${eventId}/comps`, org, { email: owner.email, quantity: 2 });
  ticketId = ((await call(rt, "GET", "/me/tickets", owner)).body.items as { id: string }[])[0]!.id;
});
afterAll(() => rt.stop());

const snapshot = async () => ({
  participations: await rt.db.selectFrom("participations").selectAll().orderBy("id").execute(),
  tickets: await rt.db.selectFrom("tickets").selectAll().orderBy("id").execute(),
  staff: await rt.db.selectFrom("eventStaff").selectAll().execute(),
  users: await rt.db.selectFrom("users").select(["id", "displayName"]).orderBy("id").execute(),
  seats: await rt.db.selectFrom("events").select(["id", "seatsTaken"]).orderBy("id").execute(),
  checkIns: await rt.db.selectFrom("checkIns").selectAll().execute(),
});

async function expectProblem(method: string, path: string, as: TestActor, body: unknown, status: number, code: string) {
  const res = await rt.call(method, path, { as: as.as, ...(body !== undefined ? { body } : {}) });
  expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(await res.json()).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) });
}

const MALFORMED = ["{", '{"name": }', "[1,"];
const NUL = "Ada\u0000Lovelace";

describe("bad input changes nothing", () => {
  it("PATCH /me", async () => {
    const before = await snapshot();
    for (const body of [
      ...MALFORMED,
      {},
      { name: "" },
      { name: "   " },
      { name: "x".repeat(201) },
      { name: 5 },
      { name: NUL },
      { name: "Ok", roles: ["admin"] },
    ]) {
      await expectProblem("PATCH", "/me", owner, body, 400, "validation_failed");
    }
    await expectProblem("PATCH", "/me", owner, undefined, 415, "unsupported_media_type");
    expect(await snapshot()).toEqual(before);
  });

  it("PATCH /tickets/{ticketId}", async () => {
    const before = await snapshot();
    const path = `/tickets/${ticketId}`;
    for (const body of [
      ...MALFORMED,
      {},
      { holderEmail: "not-an-email" },
      { holderName: "" },
      { holderName: NUL },
      { holderName: "x".repeat(201) },
      { status: "void" },
      { holderName: 7 },
    ]) {
      await expectProblem("PATCH", path, owner, body, 400, "validation_failed");
    }
    await expectProblem("PATCH", "/tickets/not-a-uuid", owner, { holderName: "A" }, 404, "not_found");
    await expectProblem("PATCH", "/tickets/00000000-0000-4000-8000-000000000000", owner, { holderName: "A" }, 404, "not_found");
    expect(await snapshot()).toEqual(before);
  });

  it("GET /tickets/{ticketId}/qr.svg, GET /me/tickets", async () => {
    await expectProblem("GET", "/tickets/nope/qr.svg", owner, undefined, 404, "not_found");
    for (const query of ["limit=0", "limit=101", "limit=abc", "cursor=bogus"])
      await expectProblem("GET", `/me/tickets?${query}`, owner, undefined, 400, "validation_failed");
  });

  it("POST /events/{eventId}/check-ins", async () => {
    const before = await snapshot();
    const path = `/events/${eventId}/check-ins`;
    for (const body of [
      ...MALFORMED,
      {},
      { code: "" },
      { code: 5 },
      { code: "x".repeat(2049) },
      { code: "a.b.c", participationId: "00000000-0000-4000-8000-000000000000" },
      { participationId: "nope" },
    ]) {
      await expectProblem("POST", path, org, body, 400, "validation_failed");
    }
    await expectProblem("POST", path, org, { code: "a.b.c" }, 422, "invalid_ticket_code");
    await expectProblem("POST", "/events/nope/check-ins", org, { code: "a.b.c" }, 404, "not_found");
    expect(await snapshot()).toEqual(before);
  });

  it("POST /events/{eventId}/staff and DELETE /events/{eventId}/staff/{userId}", async () => {
    const before = await snapshot();
    const path = `/events/${eventId}/staff`;
    for (const body of [
      ...MALFORMED,
      {},
      { userId: "nope" },
      { email: "nope" },
      { userId: owner.userId, email: owner.email },
      { role: "admin" },
    ]) {
      await expectProblem("POST", path, org, body, 400, "validation_failed");
    }
    await expectProblem("POST", path, org, { email: "nobody@example.test" }, 422, "unknown_user");
    await expectProblem("POST", path, org, { userId: "00000000-0000-4000-8000-000000000000" }, 422, "unknown_user");
    await expectProblem("DELETE", `${path}/nope`, org, undefined, 404, "not_found");
    await expectProblem("DELETE", `${path}/${owner.userId}`, org, undefined, 404, "not_found");
    expect(await snapshot()).toEqual(before);
  });

  it("POST /events/{eventId}/comps", async () => {
    const before = await snapshot();
    const path = `/events/${eventId}/comps`;
    const guest = await makeActor(rt.db);
    const after = await snapshot(); // the guest's own users row is the only difference
    for (const body of [
      ...MALFORMED,
      {},
      { email: guest.email },
      { email: guest.email, quantity: 0 },
      { email: guest.email, quantity: "2" },
      { email: guest.email, quantity: 1.5 },
      { email: "x", quantity: 1 },
      { email: guest.email, quantity: 1, ticketTypeId: "nope" },
      { email: guest.email, quantity: 1, free: true },
    ]) {
      await expectProblem("POST", path, org, body, 400, "validation_failed");
    }
    await expectProblem("POST", path, org, { email: "nobody@example.test", quantity: 1 }, 422, "unknown_user");
    await expectProblem("POST", path, org, { email: guest.email, quantity: 1, ticketTypeId: otherTypeId }, 422, "unknown_ticket_type");
    await expectProblem("POST", path, org, { email: guest.email, quantity: 11 }, 409, "sold_out");
    expect(await snapshot()).toEqual(after);
    expect(after.participations).toEqual(before.participations);
  });

  it("GET /events/{eventId}/participants(.csv)", async () => {
    for (const query of ["status=gone", "q=", `q=${"x".repeat(201)}`, "q=%00", "limit=0", "cursor=bogus"]) {
      await expectProblem("GET", `/events/${eventId}/participants?${query}`, org, undefined, 400, "validation_failed");
    }
    for (const query of ["status=gone", "q=", "q=%00"])
      await expectProblem("GET", `/events/${eventId}/participants.csv?${query}`, org, undefined, 400, "validation_failed");
    await expectProblem("GET", "/events/nope/participants.csv", org, undefined, 404, "not_found");
  });
});
