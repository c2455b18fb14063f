// Who may call each ticket, door and desk route: a member, the ticket's owner, a checker of this
// event, a checker of another event, this event's organizer, another organizer, an admin and an
// anonymous caller, each against every route.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeActor, makeEvent, type TestActor } from "../../support/fixtures";
import { call } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";

type Who = "anonymous" | "member" | "owner" | "checker" | "otherChecker" | "organizer" | "otherOrganizer" | "admin";
const WHO: Who[] = ["anonymous", "member", "owner", "checker", "otherChecker", "organizer", "otherOrganizer", "admin"];

let rt: TestRuntime;
let actors: Record<Exclude<Who, "anonymous">, TestActor>;
let eventId: string;
let ticket: { id: string; code: string };

beforeAll(async () => {
  rt = await startTestRuntime();
  const [member, owner, checker, otherChecker, organizer, otherOrganizer, admin] = await Promise.all([
    makeActor(rt.db),
    makeActor(rt.db),
    makeActor(rt.db),
    makeActor(rt.db),
    makeActor(rt.db, { role: "organizer" }),
    makeActor(rt.db, { role: "organizer" }),
    makeActor(rt.db, { role: "admin" }),
  ]);
  actors = {
    member: member!,
    owner: owner!,
    checker: checker!,
    otherChecker: otherChecker!,
    organizer: organizer!,
    otherOrganizer: otherOrganizer!,
    admin: admin!,
  };
  eventId = (await makeEvent(rt.db, actors.organizer, { capacity: 100 })).id;
  const otherEventId = (await makeEvent(rt.db, actors.otherOrganizer)).id;
  await call(rt, "POST", `/events/${eventId}/staff`, actors.organizer, { userId: actors.checker.userId });
  await call(rt, "POST", `/events/${otherEventId}/staff`, actors.otherOrganizer, { userId: actors.otherChecker.userId });
  await call(rt, "POST", `/events/${eventId}/rsvp`, actors.owner);
  ticket = ((await call(rt, "GET", "/me/tickets", actors.owner)).body.items as { id: string; code: string }[])[0]!;
});
afterAll(() => rt.stop());

interface Case {
  name: string;
  /** Expected status per caller; "2xx" accepts 200 or 201 (idempotent repeats answer 200). */
  expect: Record<Who, number | "2xx">;
  request: (who: Who) => Promise<{ method: string; path: string; body?: unknown }>;
}

const MANAGERS_ONLY = {
  anonymous: 401,
  member: 403,
  owner: 403,
  checker: 403,
  otherChecker: 403,
  organizer: "2xx",
  otherOrganizer: 404,
  admin: "2xx",
} as const;
const DOOR = { ...MANAGERS_ONLY, checker: "2xx" } as const;
const ANY_MEMBER = {
  anonymous: 401,
  member: 200,
  owner: 200,
  checker: 200,
  otherChecker: 200,
  organizer: 200,
  otherOrganizer: 200,
  admin: 200,
} as const;

const cases: Case[] = [
  { name: "GET participants", expect: DOOR, request: async () => ({ method: "GET", path: `/events/${eventId}/participants?q=a` }) },
  {
    name: "POST check-ins {code}",
    expect: DOOR,
    request: async () => ({ method: "POST", path: `/events/${eventId}/check-ins`, body: { code: ticket.code } }),
  },
  {
    name: "GET participants.csv",
    expect: MANAGERS_ONLY,
    request: async () => ({ method: "GET", path: `/events/${eventId}/participants.csv` }),
  },
  {
    name: "POST staff",
    expect: MANAGERS_ONLY,
    request: async () => ({ method: "POST", path: `/events/${eventId}/staff`, body: { email: (await makeActor(rt.db)).email } }),
  },
  {
    name: "DELETE staff",
    expect: MANAGERS_ONLY,
    request: async () => {
      const staff = await makeActor(rt.db);
      await rt.db.insertInto("eventStaff").values({ eventId, userId: staff.userId }).execute();
      return { method: "DELETE", path: `/events/${eventId}/staff/${staff.userId}` };
    },
  },
  {
    name: "POST comps",
    expect: MANAGERS_ONLY,
    request: async () => ({
      method: "POST",
      path: `/events/${eventId}/comps`,
      body: { email: (await makeActor(rt.db)).email, quantity: 1 },
    }),
  },
  {
    name: "GET qr.svg",
    expect: { anonymous: 401, member: 404, owner: 200, checker: 200, otherChecker: 404, organizer: 200, otherOrganizer: 404, admin: 200 },
    request: async () => ({ method: "GET", path: `/tickets/${ticket.id}/qr.svg` }),
  },
  {
    name: "PATCH ticket",
    expect: { anonymous: 401, member: 404, owner: 200, checker: 404, otherChecker: 404, organizer: 404, otherOrganizer: 404, admin: 404 },
    request: async () => ({ method: "PATCH", path: `/tickets/${ticket.id}`, body: { holderName: "Ada Friend" } }),
  },
  { name: "GET /me/tickets", expect: ANY_MEMBER, request: async () => ({ method: "GET", path: "/me/tickets" }) },
  { name: "PATCH /me", expect: ANY_MEMBER, request: async (who) => ({ method: "PATCH", path: "/me", body: { name: `Name of ${who}` } }) },
  {
    name: "GET ticket-keys",
    expect: { anonymous: 200, member: 200, owner: 200, checker: 200, otherChecker: 200, organizer: 200, otherOrganizer: 200, admin: 200 },
    request: async () => ({ method: "GET", path: "/.well-known/ticket-keys" }),
  },
];

describe("authorization matrix", () => {
  it.each(cases)("$name", async (c) => {
    const got: Record<string, number | "2xx"> = {};
    for (const who of WHO) {
      const { method, path, body } = await c.request(who);
      const res = await rt.call(method, path, {
        ...(who === "anonymous" ? {} : { as: actors[who].as }),
        ...(body !== undefined ? { body } : {}),
      });
      await res.arrayBuffer();
      got[who] = c.expect[who] === "2xx" && (res.status === 200 || res.status === 201) ? "2xx" : res.status;
    }
    expect(got).toEqual(c.expect);
  });

  it("refusals changed nothing: only the owner renamed the ticket, only managers added staff and comps", async () => {
    const [row] = await rt.db.selectFrom("tickets").select("holderName").where("id", "=", ticket.id).execute();
    expect(row!.holderName).toBe("Ada Friend");
    const staff = await rt.db.selectFrom("eventStaff").select("createdBy").where("eventId", "=", eventId).execute();
    const creators = new Set(staff.map((s) => s.createdBy));
    expect([...creators].every((c) => c === null || c === actors.organizer.userId || c === actors.admin.userId)).toBe(true);
    const comps = await rt.db
      .selectFrom("participations")
      .select("createdBy")
      .where("eventId", "=", eventId)
      .where("metadata", "@>", { comp: true })
      .execute();
    expect(comps.map((c) => c.createdBy).sort()).toEqual([actors.admin.userId, actors.organizer.userId].sort());
  });
});
