// The event lifecycle: ticket sales close at the start (or a type's earlier salesEndAt), RSVPs at
// the end; the complete-events job completes ended events once; the send-reminders job writes
// reminders through the deployed handler; both record their runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAvailability, statusHistory } from "@evently/core/events";
import { completeEvents } from "@evently/core/jobs/complete-events";
import { createOrder } from "@evently/core/payments/orders";
import { registerRsvp } from "@evently/core/ticketing";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { scheduledEvent } from "@evently/local/scheduler";
import { makeActor, type TestActor } from "../../support/fixtures";
import { startPaymentsHarness, type PaymentsHarness } from "../payments/harness";

let h: PaymentsHarness;
let organizer: TestActor;
beforeAll(async () => {
  h = await startPaymentsHarness();
  organizer = await makeActor(h.t.db, { role: "organizer" });
  (await import("@evently/functions/lib/db")).setDb(h.t.db);
});
afterAll(() => h.stop());

/** A published event placed in time directly (the API refuses to create events in the past). */
async function eventAt(kind: "rsvp" | "ticketed", startsAt: Date, endsAt: Date, typeSalesEnd: Date | null = null) {
  const event = await h.t.db
    .insertInto("events")
    .values({
      organizerId: organizer.userId,
      title: `Timed ${kind}`,
      kind,
      status: "published",
      startsAt,
      endsAt,
      capacity: 10,
      publishedAt: new Date(startsAt.getTime() - 86_400_000),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const type =
    kind === "ticketed"
      ? await h.t.db
          .insertInto("ticketTypes")
          .values({ eventId: event.id, name: "General", priceMinor: 1000, currency: "USD", quantity: null, salesEndAt: typeSalesEnd })
          .returning("id")
          .executeTakeFirstOrThrow()
      : undefined;
  return { eventId: event.id, typeId: type?.id };
}
const hours = (n: number) => new Date(Date.now() + n * 3_600_000);

describe("sales windows", () => {
  it("ticket sales close at startsAt: an order after the start is 409 not_on_sale and holds nothing; availability says off sale", async () => {
    const started = await eventAt("ticketed", hours(-1), hours(2));
    const buyer = await makeActor(h.t.db);
    await expect(createOrder(h.deps, buyer, started.eventId, { ticketTypeId: started.typeId!, quantity: 1 })).rejects.toMatchObject({
      code: "not_on_sale",
    });
    expect((await getAvailability(h.t.db, started.eventId)).ticketTypes[0]).toMatchObject({ onSale: false });
    expect(
      (await h.t.db.selectFrom("events").select("seatsTaken").where("id", "=", started.eventId).executeTakeFirstOrThrow()).seatsTaken,
    ).toBe(0);

    const upcoming = await eventAt("ticketed", hours(5), hours(7));
    expect((await createOrder(h.deps, buyer, upcoming.eventId, { ticketTypeId: upcoming.typeId!, quantity: 1 })).participation.status).toBe(
      "pending",
    );
  });

  it("a type's earlier salesEndAt closes it before the start", async () => {
    const e = await eventAt("ticketed", hours(5), hours(7), hours(-1));
    await expect(createOrder(h.deps, await makeActor(h.t.db), e.eventId, { ticketTypeId: e.typeId!, quantity: 1 })).rejects.toMatchObject({
      code: "not_on_sale",
    });
  });

  it("RSVPs stay open after the start and close at the end: 409 event_ended", async () => {
    const running = await eventAt("rsvp", hours(-1), hours(1));
    expect((await registerRsvp(h.t.db, await makeActor(h.t.db), { eventId: running.eventId })).status).toBe("active");
    const ended = await eventAt("rsvp", hours(-3), hours(-1));
    await expect(registerRsvp(h.t.db, await makeActor(h.t.db), { eventId: ended.eventId })).rejects.toMatchObject({ code: "event_ended" });
  });
});

describe("jobs", () => {
  it("complete-events completes only published events that ended, once, with a history row each", async () => {
    const ended = await eventAt("rsvp", hours(-5), hours(-2));
    const running = await eventAt("rsvp", hours(-1), hours(1));
    const results = await Promise.all([completeEvents(h.t.db), completeEvents(h.t.db, { batchSize: 1 })]);
    expect(results.reduce((n, r) => n + r.completed, 0)).toBeGreaterThanOrEqual(1);
    const status = async (id: string) =>
      (await h.t.db.selectFrom("events").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;
    expect(await status(ended.eventId)).toBe("completed");
    expect(await status(running.eventId)).toBe("published");
    const history = (await statusHistory(h.t.db, ended.eventId)).filter((r) => r.newStatus === "completed");
    expect(history).toHaveLength(1);
    expect((await completeEvents(h.t.db)).completed).toBe(0);
    await expect(registerRsvp(h.t.db, await makeActor(h.t.db), { eventId: ended.eventId })).rejects.toMatchObject({ code: "event_ended" });
  });

  it("the deployed complete-events and send-reminders handlers run, record their runs and write reminders", async () => {
    const soon = await eventAt("rsvp", hours(3), hours(4));
    const member = await makeActor(h.t.db);
    await registerRsvp(h.t.db, member, { eventId: soon.eventId });
    const done = await eventAt("rsvp", hours(-4), hours(-3));
    for (const name of ["complete-events", "send-reminders"]) {
      const { handler } = await import(`@evently/functions/jobs/${name}`);
      const result = (await handler(scheduledEvent({ name }), lambdaContext(`job-${name}`, 60))) as {
        status: string;
        counts: Record<string, number>;
      };
      expect(result.status, name).toBe("succeeded");
    }
    expect((await h.t.db.selectFrom("events").select("status").where("id", "=", done.eventId).executeTakeFirstOrThrow()).status).toBe(
      "completed",
    );
    const reminders = await h.t.db
      .selectFrom("outbox")
      .select(["recipient", "kind"])
      .where("eventId", "=", soon.eventId)
      .where("kind", "=", "event_reminder")
      .execute();
    expect(reminders).toEqual([{ recipient: member.email, kind: "event_reminder" }]);
    const runs = await h.t.db
      .selectFrom("jobRuns")
      .select(["job", "status"])
      .where("job", "in", ["complete-events", "send-reminders"])
      .execute();
    expect(runs).toEqual(
      expect.arrayContaining([
        { job: "complete-events", status: "succeeded" },
        { job: "send-reminders", status: "succeeded" },
      ]),
    );
  });
});
