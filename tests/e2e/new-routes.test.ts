// The routes added with mail and the waitlist, over HTTP against the local runtime: bad input is a
// 4xx problem that changes nothing, and only the right callers get in (401/403/404 as the API says).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeActor, makeEvent, makePromoCode, makeTicketType, type TestActor } from "../support/fixtures";
import { call } from "../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
let organizer: TestActor;
let admin: TestActor;
let otherOrganizer: TestActor;
let member: TestActor;
let eventId: string;
let promoId: string;
beforeAll(async () => {
  rt = await startTestRuntime();
  organizer = await makeActor(rt.db, { role: "organizer" });
  otherOrganizer = await makeActor(rt.db, { role: "organizer" });
  admin = await makeActor(rt.db, { role: "admin" });
  member = await makeActor(rt.db);
  eventId = (await makeEvent(rt.db, organizer, { kind: "ticketed", capacity: 5 })).id;
  await makeTicketType(rt.db, organizer, eventId);
  promoId = (await makePromoCode(rt.db, organizer, eventId, { code: "HELLO", maxUses: 3 })).id;
});
afterAll(() => rt.stop());

const snapshot = async () => ({
  promos: await rt.db.selectFrom("promoCodes").selectAll().orderBy("id").execute(),
  venues: await rt.db.selectFrom("venues").selectAll().orderBy("id").execute(),
  categories: await rt.db.selectFrom("categories").selectAll().orderBy("id").execute(),
  participations: await rt.db.selectFrom("participations").selectAll().orderBy("id").execute(),
});

async function expectProblem(method: string, path: string, as: TestActor | undefined, body: unknown, status: number, code?: string) {
  const res = await rt.call(method, path, { ...(as ? { as: as.as } : {}), ...(body !== undefined ? { body } : {}) });
  expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
  if (code) {
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await res.json()).toMatchObject({ status, code });
  }
}

describe("bad input changes nothing", () => {
  it("PATCH /promo-codes/{id}, POST /venues, POST /categories, GET lists with bad queries", async () => {
    const before = await snapshot();
    const patch = `/promo-codes/${promoId}`;
    for (const body of [
      "{",
      { maxUses: "5" },
      { maxUses: 0 },
      { active: "yes" },
      { code: "NEW" },
      { ticketTypeIds: ["nope"] },
      { ticketTypeIds: [] },
      { validFrom: "tomorrow" },
    ]) {
      await expectProblem("PATCH", patch, organizer, body, 400, "validation_failed");
    }
    await expectProblem("PATCH", patch, organizer, { ticketTypeIds: ["00000000-0000-4000-8000-000000000000"] }, 400, "validation_failed");
    await expectProblem(
      "PATCH",
      patch,
      organizer,
      { maxUses: 10, validFrom: "2031-01-02T00:00:00Z", validUntil: "2031-01-01T00:00:00Z" },
      400,
      "validation_failed",
    );
    await expectProblem("PATCH", "/promo-codes/not-a-uuid", organizer, { active: false }, 404, "not_found");
    for (const body of [
      {},
      { name: "" },
      { name: "x".repeat(201) },
      { name: "Hall", capacity: 0 },
      { name: "Hall", capacity: "10" },
      { name: "Hall", extra: 1 },
      "[1",
    ]) {
      await expectProblem("POST", "/venues", organizer, body, 400, "validation_failed");
    }
    for (const body of [
      {},
      { name: "Rope", slug: "Rope Arts" },
      { name: "Rope", slug: "-rope" },
      { name: "", slug: "rope" },
      { name: "Rope", slug: "rope", x: 1 },
    ]) {
      await expectProblem("POST", "/categories", admin, body, 400, "validation_failed");
    }
    for (const q of ["limit=0", "limit=101", "limit=abc", "cursor=garbage"]) {
      await expectProblem("GET", `/venues?${q}`, undefined, undefined, 400, "validation_failed");
      await expectProblem("GET", `/categories?${q}`, undefined, undefined, 400, "validation_failed");
      await expectProblem("GET", `/me/events?${q}`, organizer, undefined, 400, "validation_failed");
    }
    await expectProblem("GET", "/events/not-a-uuid/promo-codes", organizer, undefined, 404, "not_found");
    await expectProblem("DELETE", "/events/not-a-uuid/waitlist", member, undefined, 404, "not_found");
    expect(await snapshot()).toEqual(before);
  });
});

describe("authorization", () => {
  it("promo codes: only the event's organizer or an admin; others 404, members 403, no token 401", async () => {
    expect((await call(rt, "GET", `/events/${eventId}/promo-codes`, organizer)).body).toMatchObject({ items: [{ id: promoId, uses: 0 }] });
    expect((await call(rt, "GET", `/events/${eventId}/promo-codes`, admin)).status).toBe(200);
    await expectProblem("GET", `/events/${eventId}/promo-codes`, otherOrganizer, undefined, 404, "not_found");
    await expectProblem("GET", `/events/${eventId}/promo-codes`, member, undefined, 403, "forbidden");
    await expectProblem("GET", `/events/${eventId}/promo-codes`, undefined, undefined, 401);
    await expectProblem("PATCH", `/promo-codes/${promoId}`, otherOrganizer, { active: false }, 404, "not_found");
    await expectProblem("PATCH", `/promo-codes/${promoId}`, member, { active: false }, 403, "forbidden");
    expect(await call(rt, "PATCH", `/promo-codes/${promoId}`, organizer, { active: false, maxUses: 5 })).toMatchObject({
      status: 200,
      body: { active: false, maxUses: 5 },
    });
  });

  it("venues and categories: lists are public; venues by organizers, categories by admins only", async () => {
    await expectProblem("POST", "/venues", member, { name: "Hall" }, 403, "forbidden");
    await expectProblem("POST", "/venues", undefined, { name: "Hall" }, 401);
    expect(await call(rt, "POST", "/venues", organizer, { name: "Main Hall", city: "Leeds", capacity: 300 })).toMatchObject({
      status: 201,
      body: { name: "Main Hall", capacity: 300 },
    });
    await expectProblem("POST", "/categories", organizer, { name: "Rope", slug: "rope" }, 403, "forbidden");
    expect(await call(rt, "POST", "/categories", admin, { name: "Rope", slug: "rope" })).toMatchObject({
      status: 201,
      body: { slug: "rope" },
    });
    await expectProblem("POST", "/categories", admin, { name: "Rope again", slug: "rope" }, 409, "conflict");
    expect((await call(rt, "GET", "/venues")).body.items).toEqual(expect.arrayContaining([expect.objectContaining({ name: "Main Hall" })]));
    expect((await call(rt, "GET", "/categories?limit=1")).body).toMatchObject({ items: [expect.objectContaining({ slug: "rope" })] });
  });

  it("GET /me/events: the caller's own events in any status, newest first, paginated; members 403", async () => {
    const draft = await makeEvent(rt.db, organizer, { status: "draft" });
    const page1 = await call(rt, "GET", "/me/events?limit=1", organizer);
    expect(page1.body.items).toEqual([expect.objectContaining({ id: draft.id, status: "draft", seatsTaken: 0 })]);
    const page2 = await call(rt, "GET", `/me/events?limit=10&cursor=${page1.body.nextCursor as string}`, organizer);
    expect((page2.body.items as { id: string }[]).map((e) => e.id)).toEqual([eventId]);
    expect((await call(rt, "GET", "/me/events", otherOrganizer)).body.items).toEqual([]);
    await expectProblem("GET", "/me/events", member, undefined, 403, "forbidden");
  });

  it("DELETE /events/{id}/waitlist: a member not on it is 409 not_waitlisted; a draft is 404", async () => {
    await expectProblem("DELETE", `/events/${eventId}/waitlist`, member, undefined, 409, "not_waitlisted");
    const draft = await makeEvent(rt.db, organizer, { status: "draft" });
    await expectProblem("DELETE", `/events/${draft.id}/waitlist`, member, undefined, 404, "not_found");
    await expectProblem("DELETE", `/events/${eventId}/waitlist`, undefined, undefined, 401);
  });
});
