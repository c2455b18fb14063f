// Bad input on every participation route is a 4xx problem that changes nothing (docs/ARCHITECTURE.md, invariant 7).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeActor, makeEvent, type TestActor } from "../../support/fixtures";
import { call } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";

let rt: TestRuntime;
let organizer: TestActor;
let member: TestActor;
let eventId: string;
let participationId: string;

beforeAll(async () => {
  rt = await startTestRuntime();
  organizer = await makeActor(rt.db, { role: "organizer" });
  member = await makeActor(rt.db);
  eventId = (await makeEvent(rt.db, organizer, { capacity: 10 })).id;
  participationId = (await call(rt, "POST", `/events/${eventId}/rsvp`, member)).body.id as string;
});
afterAll(() => rt.stop());

/** Everything a bad request could have touched. */
const snapshot = async () => ({
  participations: await rt.db.selectFrom("participations").selectAll().orderBy("id").execute(),
  history: (await rt.db.selectFrom("participationHistory").select("id").execute()).length,
  checkIns: await rt.db.selectFrom("checkIns").selectAll().execute(),
  seats: await rt.db.selectFrom("events").select(["id", "seatsTaken"]).orderBy("id").execute(),
});

/** Sends a raw body (string = sent verbatim) and expects a problem with `status` and `code`. */
async function expectProblem(method: string, path: string, as: TestActor, body: unknown, status: number, code: string) {
  const res = await rt.call(method, path, { as: as.as, ...(body !== undefined ? { body } : {}) });
  expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const problem = (await res.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
  if (code === "validation_failed")
    expect(problem.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: expect.any(String), message: expect.any(String) })]),
    );
}

const MALFORMED = ["{", '{"reason": }', "[1,", "nul"];

describe("bad input changes nothing", () => {
  it("POST /events/{eventId}/rsvp", async () => {
    const before = await snapshot();
    const other = await makeActor(rt.db);
    const path = `/events/${eventId}/rsvp`;
    for (const body of MALFORMED) await expectProblem("POST", path, other, body, 400, "validation_failed");
    for (const body of [{ quantity: 2 }, [], "hello", 5, null]) await expectProblem("POST", path, other, body, 400, "validation_failed");
    await expectProblem("POST", "/events/not-a-uuid/rsvp", other, undefined, 404, "not_found");
    const plain = await rt.call("POST", path, { as: other.as, body: "{}", headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(415);
    expect(await snapshot()).toEqual(before);
  });

  it("DELETE /events/{eventId}/rsvp", async () => {
    const before = await snapshot();
    const path = `/events/${eventId}/rsvp`;
    for (const body of MALFORMED) await expectProblem("DELETE", path, member, body, 400, "validation_failed");
    for (const body of [{ reason: 5 }, { reason: "   " }, { reason: "x".repeat(1001) }, { reason: "ok", extra: true }, ["reason"]]) {
      await expectProblem("DELETE", path, member, body, 400, "validation_failed");
    }
    await expectProblem("DELETE", "/events/123/rsvp", member, undefined, 404, "not_found");
    expect(await snapshot()).toEqual(before);
  });

  it("POST /events/{eventId}/check-ins", async () => {
    const before = await snapshot();
    const path = `/events/${eventId}/check-ins`;
    for (const body of MALFORMED) await expectProblem("POST", path, organizer, body, 400, "validation_failed");
    // No body at all, hence no JSON content type: the shared stack's 415.
    await expectProblem("POST", path, organizer, undefined, 415, "unsupported_media_type");
    for (const body of [
      {},
      { participationId: "nope" },
      { participationId: 42 },
      { participationId, by: "me" },
      { participation_id: participationId },
    ]) {
      await expectProblem("POST", path, organizer, body, 400, "validation_failed");
    }
    await expectProblem("POST", "/events/x/check-ins", organizer, { participationId }, 404, "not_found");
    expect(await snapshot()).toEqual(before);
  });

  it("GET /me/participations", async () => {
    for (const q of [
      "limit=0",
      "limit=101",
      "limit=abc",
      "limit=5.5",
      "limit=-1",
      "limit=",
      "cursor=garbage",
      `cursor=${"a".repeat(600)}`,
    ]) {
      await expectProblem("GET", `/me/participations?${q}`, member, undefined, 400, "validation_failed");
    }
    // A cursor issued by the other list is refused rather than misread.
    expect((await call(rt, "POST", `/events/${eventId}/rsvp`, await makeActor(rt.db))).status).toBe(201);
    const next = (await call(rt, "GET", `/events/${eventId}/participants?limit=1`, organizer)).body.nextCursor as string;
    expect(next).toEqual(expect.any(String));
    await expectProblem("GET", `/me/participations?cursor=${next}`, member, undefined, 400, "validation_failed");
  });

  it("GET /events/{eventId}/participants", async () => {
    const path = `/events/${eventId}/participants`;
    for (const q of ["status=gone", "status=ACTIVE", "limit=1000", "cursor=%7B%7D"]) {
      await expectProblem("GET", `${path}?${q}`, organizer, undefined, 400, "validation_failed");
    }
    await expectProblem("GET", "/events/nope/participants", organizer, undefined, 404, "not_found");
  });
});
