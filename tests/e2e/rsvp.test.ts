// The RSVP journey over HTTP against the local runtime, as a frontend drives it: an organizer
// publishes a one-seat event with a waitlist, two members RSVP, one cancels, the other is promoted
// and checked in at the door.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
beforeAll(async () => (rt = await startTestRuntime()));
afterAll(() => rt.stop());

const organizer = { sub: "e2e-rsvp-organizer", role: "organizer" as const };
const alice = { sub: "e2e-rsvp-alice" };
const bob = { sub: "e2e-rsvp-bob" };

async function json(method: string, path: string, as?: { sub: string; role?: "organizer" }, body?: unknown) {
  const res = await rt.call(method, path, { ...(as ? { as } : {}), ...(body !== undefined ? { body } : {}) });
  expect(res.headers.get("x-request-id")).toBeTruthy();
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it("RSVP, waitlist, cancellation, promotion and check-in", async () => {
  const startsAt = new Date(Date.now() + 7 * 86_400_000);
  const created = await json("POST", "/events", organizer, {
    title: "Rope basics meetup",
    kind: "rsvp",
    capacity: 1,
    waitlistEnabled: true,
    location: "Studio 2",
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 2 * 3_600_000).toISOString(),
  });
  expect(created).toMatchObject({ status: 201, body: { status: "draft", kind: "rsvp" } });
  const eventId = created.body.id as string;
  expect((await json("POST", `/events/${eventId}/rsvp`, alice)).status).toBe(404); // drafts take no RSVPs
  expect(await json("POST", `/events/${eventId}/publish`, organizer)).toMatchObject({ status: 200, body: { status: "published" } });

  const a = await json("POST", `/events/${eventId}/rsvp`, alice);
  expect(a).toMatchObject({ status: 201, body: { status: "active", waitlistPosition: null } });
  const b = await json("POST", `/events/${eventId}/rsvp`, bob);
  expect(b).toMatchObject({ status: 201, body: { status: "waitlisted", waitlistPosition: 1 } });
  expect(await json("POST", `/events/${eventId}/check-ins`, organizer, { participationId: b.body.id })).toMatchObject({
    status: 409,
    body: { code: "not_active" },
  });

  const cancelled = await json("DELETE", `/events/${eventId}/rsvp`, alice, { reason: "Cannot make it" });
  expect(cancelled).toMatchObject({ status: 200, body: { id: a.body.id, status: "cancelled" } });

  const dashboard = await json("GET", "/me/participations", bob);
  expect(dashboard.body.items).toEqual([
    expect.objectContaining({
      id: b.body.id,
      status: "active",
      waitlistPosition: null,
      event: expect.objectContaining({ id: eventId, location: "Studio 2" }),
    }),
  ]);
  expect((await json("GET", "/me/participations", alice)).body.items).toEqual([]);

  const first = await json("POST", `/events/${eventId}/check-ins`, organizer, { participationId: b.body.id });
  expect(first).toMatchObject({ status: 201, body: { participationId: b.body.id } });
  expect(await json("POST", `/events/${eventId}/check-ins`, organizer, { participationId: b.body.id })).toEqual({
    status: 200,
    body: first.body,
  });

  const list = await json("GET", `/events/${eventId}/participants`, organizer);
  expect(list.body).toEqual({
    items: [
      expect.objectContaining({ id: a.body.id, status: "cancelled", checkedInAt: null }),
      expect.objectContaining({ id: b.body.id, status: "active", checkedInAt: first.body.checkedInAt }),
    ],
    nextCursor: null,
  });
  const availability = await json("GET", `/events/${eventId}/availability`);
  expect(availability.body).toMatchObject({ capacity: 1, seatsTaken: 1, available: 0, waitlisted: 0 });
});
