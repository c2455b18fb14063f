// Who may do what on the participation routes (docs/API.md "Authentication and roles"): every route × anonymous, member,
// other member, organizer of another event, the event's organizer and an admin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeActor, makeEvent, type TestActor } from "../../support/fixtures";
import { call } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";

let rt: TestRuntime;
let who: Record<"member" | "otherMember" | "otherOrganizer" | "organizer" | "admin", TestActor>;
beforeAll(async () => {
  rt = await startTestRuntime();
  who = {
    member: await makeActor(rt.db, { sub: "authz-member" }),
    otherMember: await makeActor(rt.db, { sub: "authz-other-member" }),
    otherOrganizer: await makeActor(rt.db, { sub: "authz-other-organizer", role: "organizer" }),
    organizer: await makeActor(rt.db, { sub: "authz-organizer", role: "organizer" }),
    admin: await makeActor(rt.db, { sub: "authz-admin", role: "admin" }),
  };
  await makeEvent(rt.db, who.otherOrganizer); // so they really organize something
});
afterAll(() => rt.stop());

type Caller = keyof typeof who | "anonymous";
const callers: Caller[] = ["anonymous", "member", "otherMember", "otherOrganizer", "organizer", "admin"];

/** Calls the route as each caller and returns `caller → "status code"`. */
async function matrix(run: (as: TestActor | undefined, caller: Caller) => Promise<{ status: number; body: Record<string, unknown> }>) {
  const out: Record<string, string> = {};
  for (const caller of callers) {
    const res = await run(caller === "anonymous" ? undefined : who[caller], caller);
    out[caller] = `${res.status} ${String(res.status < 300 ? "ok" : res.body.code)}`;
  }
  return out;
}

describe("authorization matrix", () => {
  it("POST /events/{id}/rsvp: any authenticated caller RSVPs for themselves", async () => {
    const event = await makeEvent(rt.db, who.organizer);
    expect(await matrix((as) => call(rt, "POST", `/events/${event.id}/rsvp`, as))).toEqual({
      anonymous: "401 unauthorized",
      member: "201 ok",
      otherMember: "201 ok",
      otherOrganizer: "201 ok",
      organizer: "201 ok",
      admin: "201 ok",
    });
    const owners = await rt.db.selectFrom("participations").select("userId").where("eventId", "=", event.id).execute();
    expect(owners).toHaveLength(5);
  });

  it("DELETE /events/{id}/rsvp: only ever the caller's own RSVP", async () => {
    const event = await makeEvent(rt.db, who.organizer);
    await call(rt, "POST", `/events/${event.id}/rsvp`, who.member);
    expect(await matrix((as) => call(rt, "DELETE", `/events/${event.id}/rsvp`, as))).toEqual({
      anonymous: "401 unauthorized",
      member: "200 ok",
      otherMember: "409 not_registered",
      otherOrganizer: "409 not_registered",
      organizer: "409 not_registered",
      admin: "409 not_registered",
    });
  });

  it("POST /events/{id}/check-ins: the event's organizer or an admin; another organizer sees no such event", async () => {
    const event = await makeEvent(rt.db, who.organizer);
    const attendee = await makeActor(rt.db, { sub: "authz-attendee" });
    const mine = (await call(rt, "POST", `/events/${event.id}/rsvp`, who.member)).body.id;
    const theirs = (await call(rt, "POST", `/events/${event.id}/rsvp`, attendee)).body.id;
    expect(
      await matrix((as, caller) =>
        call(rt, "POST", `/events/${event.id}/check-ins`, as, { participationId: caller === "admin" ? theirs : mine }),
      ),
    ).toEqual({
      anonymous: "401 unauthorized",
      member: "403 forbidden",
      otherMember: "403 forbidden",
      otherOrganizer: "404 not_found",
      organizer: "201 ok",
      admin: "201 ok",
    });
    const rows = await rt.db.selectFrom("checkIns").select(["participationId", "checkedInBy"]).orderBy("checkedInAt").execute();
    expect(rows).toEqual([
      { participationId: mine, checkedInBy: who.organizer.userId },
      { participationId: theirs, checkedInBy: who.admin.userId },
    ]);
  });

  it("GET /me/participations: each caller sees only their own", async () => {
    const event = await makeEvent(rt.db, who.organizer);
    await call(rt, "POST", `/events/${event.id}/rsvp`, who.member);
    const seen: Record<string, { userId: string; eventId: string }[]> = {};
    expect(
      await matrix(async (as, caller) => {
        const res = await call(rt, "GET", "/me/participations", as);
        if (as) seen[caller] = res.body.items as { userId: string; eventId: string }[];
        return res;
      }),
    ).toEqual({
      anonymous: "401 unauthorized",
      member: "200 ok",
      otherMember: "200 ok",
      otherOrganizer: "200 ok",
      organizer: "200 ok",
      admin: "200 ok",
    });
    for (const [caller, items] of Object.entries(seen))
      expect(items.every((p) => p.userId === who[caller as keyof typeof who].userId)).toBe(true);
    expect(seen.member?.map((p) => p.eventId)).toContain(event.id);
    expect(seen.otherMember?.map((p) => p.eventId)).not.toContain(event.id);
  });

  it("GET /events/{id}/participants: the event's organizer or an admin", async () => {
    const event = await makeEvent(rt.db, who.organizer);
    await call(rt, "POST", `/events/${event.id}/rsvp`, who.member);
    expect(await matrix((as) => call(rt, "GET", `/events/${event.id}/participants`, as))).toEqual({
      anonymous: "401 unauthorized",
      member: "403 forbidden",
      otherMember: "403 forbidden",
      otherOrganizer: "404 not_found",
      organizer: "200 ok",
      admin: "200 ok",
    });
  });
});
