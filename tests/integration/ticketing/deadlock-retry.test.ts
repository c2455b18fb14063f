// A deadlock is retried, not answered with a 500: registration under the event lock waits for the
// caller's own row while another transaction holding that row waits for the event.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { registerRsvp } from "@evently/core/ticketing";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { makeActor, makeEvent, seatParticipant } from "../../support/fixtures";

let t: TestDatabase;
beforeAll(async () => (t = await createTestDatabase()));
afterAll(() => t.destroy());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("registerRsvp survives being chosen as a deadlock victim", async () => {
  const organizer = await makeActor(t.db, { role: "organizer" });
  const member = await makeActor(t.db);
  const event = await makeEvent(t.db, organizer, { capacity: 1, waitlistEnabled: true });
  await seatParticipant(t.db, { eventId: event.id, userId: organizer.userId });
  const own = await seatParticipant(t.db, { eventId: event.id, userId: member.userId, status: "cancelled" });

  const other = new pg.Client(t.url);
  await other.connect();
  try {
    await other.query("BEGIN");
    await other.query("UPDATE participations SET notes = 'held' WHERE id = $1", [own.id]);
    // The event is full: registration locks the event row, then waits for the row held above.
    const registering = registerRsvp(t.db, member, { eventId: event.id });
    await sleep(300);
    // Now the other side wants the event row: a cycle. The registration waited first, so its
    // backend's deadlock check fires first and aborts it; the retry then waits for our COMMIT.
    const closing = other.query("UPDATE events SET capacity = capacity WHERE id = $1", [event.id]);
    await closing;
    await other.query("COMMIT");
    const view = await registering;
    expect(view).toMatchObject({ id: own.id, status: "waitlisted", waitlistPosition: 1 });
  } finally {
    await other.end();
  }
});
