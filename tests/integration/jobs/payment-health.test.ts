// The payment-health measures on prepared data, seat-counter drift, the stored snapshot, and the
// job's CloudWatch metrics (EMF) with exactly the dimensions the alarms in infra/ watch.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { latestPaymentHealth, measurePaymentHealth, paymentHealth } from "@evently/core/health/payment-health";
import { HealthMetric, JobMetric } from "@evently/functions/lib/metric-names";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { scheduledEvent } from "@evently/local/scheduler";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { makeActor } from "../../support/fixtures";
import { createPaidEvent, type PaidEvent } from "../../support/paid-event";

let t: TestDatabase;
let ev: PaidEvent;
let participationId: string;
let userId: string;
const NOW = new Date();
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const MIN = 60;
const HOUR = 3600;

beforeAll(async () => {
  t = await createTestDatabase();
  ev = await createPaidEvent(t.db, { capacity: 10 });
  userId = (await makeActor(t.db)).userId;
  // Orders need a participation; a cancelled one holds no seats, so it cannot cause drift.
  participationId = (
    await t.db
      .insertInto("participations")
      .values({ eventId: ev.eventId, userId, kind: "ticket", status: "cancelled", ticketTypeId: ev.ticketTypeId, cancelledAt: NOW })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(() => t.destroy());

/** One order with one payment, created and processed at the given ages (seconds before NOW). */
async function payment(status: string, createdAgo: number, processedAgo: number | null, failuresAgo: number[] = []): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    WITH o AS (
      INSERT INTO orders (participation_id, event_id, user_id, ticket_type_id, quantity, unit_price_minor, subtotal_minor, amount_minor, currency, status)
      VALUES (${participationId}, ${ev.eventId}, ${userId}, ${ev.ticketTypeId}, 1, 2500, 2500, 2500, 'USD', 'cancelled') RETURNING id)
    INSERT INTO payments (order_id, user_id, amount_minor, currency, status, created_at, processed_at, refunded_minor, refunded_at)
    SELECT o.id, ${userId}, 2500, 'USD', ${status}, ${ago(createdAgo)}, ${processedAgo === null ? null : ago(processedAgo)},
      ${status === "refunded" ? 2500 : 0}, ${status === "refunded" ? ago(60) : null}
    FROM o RETURNING id`.execute(t.db);
  const id = rows[0]!.id;
  for (const f of failuresAgo)
    await t.db
      .insertInto("paymentFailures")
      .values({ paymentId: id, failureCode: "card_declined", failureMessage: "Declined", failedAt: ago(f) })
      .execute();
  return id;
}

async function refund(paymentId: string, status: string, createdAgo: number) {
  await sql`INSERT INTO refunds (payment_id, amount_minor, currency, reason, status, created_at) VALUES (${paymentId}, 100, 'USD', 'Customer asked for it', ${status}, ${ago(createdAgo)})`.execute(
    t.db,
  );
}

async function webhook(status: "processed" | "failed", receivedAgo: number) {
  await t.db
    .insertInto("webhookEvents")
    .values({
      providerEventId: `evt_${randomUUID()}`,
      type: "payment_intent.succeeded",
      status,
      receivedAt: ago(receivedAgo),
      processedAt: status === "processed" ? ago(receivedAgo - 1) : null,
    })
    .execute();
}

/** A live participation on `eventId` without touching the counters (so they can be made to drift). */
async function live(eventId: string, ticketTypeId: string | null, quantity: number) {
  const user = await makeActor(t.db);
  await t.db
    .insertInto("participations")
    .values({ eventId, userId: user.userId, kind: ticketTypeId ? "ticket" : "rsvp", status: "active", quantity, ticketTypeId })
    .execute();
}

describe("payment health", () => {
  it("reports a healthy, empty system: 100 % success, no average, nothing stuck, no drift", async () => {
    expect(await measurePaymentHealth(t.db, { now: NOW })).toEqual({
      successRate24h: 100,
      completed24h: 0,
      failed24h: 0,
      failuresLastHour: 0,
      avgProcessingSeconds: null,
      pendingOver30m: 0,
      refundsProcessingOver24h: 0,
      webhookEventsFailed: 0,
      webhookEventsUnprocessed: 0,
      providerTasksFailed: 0,
      providerTasksOverdue: 0,
      seatCounterDrift: 0,
      eventSeatDrift: 0,
      ticketTypeSeatDrift: 0,
      driftingEventIds: [],
    });
    expect(await latestPaymentHealth(t.db)).toBeUndefined();
  });

  it("computes each measure on prepared data and detects seat-counter drift", async () => {
    await payment("completed", 10, 8); // decided in the last hour after 2 s
    await payment("completed", 6 * MIN, 5 * MIN, [5 * MIN + 30]); // a declined try, then paid: 60 s
    await payment("failed", 20, 14, [17, 14]); // declined twice in the last hour: 6 s, one failed payment
    const refundedLater = await payment("completed", 2 * HOUR, 2 * HOUR - 4); // 24 h window only
    const refunded = await payment("refunded", 3 * HOUR, 3 * HOUR - 1); // a success, refunded since
    await payment("failed", 30 * HOUR, 30 * HOUR - 2, [30 * HOUR - 2]); // older than 24 h
    await payment("completed", 25 * HOUR, 25 * HOUR - 3); // older than 24 h
    await payment("cancelled", 20 * MIN, 5 * MIN); // a hold that expired: no provider verdict, not averaged
    await payment("pending", 31 * MIN, null); // stuck
    await payment("pending", 10 * MIN, null); // still within its hold
    await refund(refundedLater, "processing", 25 * HOUR); // stuck
    await refund(refunded, "processing", 1 * HOUR);
    await refund(refunded, "completed", 48 * HOUR);
    await webhook("failed", 10 * MIN); // failed, and unprocessed for over 5 minutes
    await webhook("failed", 1 * MIN);
    await webhook("processed", 2 * HOUR);

    // Drift: an event counting 5 seats with 3 held (2), its ticket type 4 with 3 (1); another 0 with 1 (1).
    const drifting = await createPaidEvent(t.db, { capacity: 10 });
    await live(drifting.eventId, drifting.ticketTypeId, 3);
    await t.db.updateTable("events").set({ seatsTaken: 5 }).where("id", "=", drifting.eventId).execute();
    await t.db.updateTable("ticketTypes").set({ quantityTaken: 4 }).where("id", "=", drifting.ticketTypeId).execute();
    const under = await createPaidEvent(t.db, { capacity: 10 });
    await live(under.eventId, null, 1);
    const exact = await createPaidEvent(t.db, { capacity: 10 });
    await live(exact.eventId, exact.ticketTypeId, 2);
    await t.db.updateTable("events").set({ seatsTaken: 2 }).where("id", "=", exact.eventId).execute();
    await t.db.updateTable("ticketTypes").set({ quantityTaken: 2 }).where("id", "=", exact.ticketTypeId).execute();

    const snapshot = await paymentHealth(t.db, { now: NOW });
    expect(snapshot.measures).toEqual({
      successRate24h: 80, // 4 succeeded (one since refunded) / (4 + 1 failed)
      completed24h: 4,
      failed24h: 1,
      failuresLastHour: 2,
      avgProcessingSeconds: 22.667, // (2 + 60 + 6) / 3
      pendingOver30m: 1,
      refundsProcessingOver24h: 1,
      providerTasksFailed: 0,
      providerTasksOverdue: 0,
      webhookEventsFailed: 2,
      webhookEventsUnprocessed: 1,
      seatCounterDrift: 4,
      eventSeatDrift: 3,
      ticketTypeSeatDrift: 1,
      driftingEventIds: [drifting.eventId, under.eventId],
    });
    expect(snapshot.takenAt.getTime()).toBe(NOW.getTime());
    expect(await latestPaymentHealth(t.db)).toEqual(snapshot);
  });

  it("the job stores a snapshot, records its run and emits every measure with the alarms' dimensions", async () => {
    const { outcome, emf } = await runJobCapturingMetrics();
    if (!outcome.ok) throw outcome.error;
    const result = outcome.result;
    expect(result).toMatchObject({
      job: "payment-health",
      status: "succeeded",
      counts: { pendingOver30m: 1, seatCounterDrift: 4, driftingEvents: 2 },
    });
    const run = await t.db.selectFrom("jobRuns").selectAll().where("id", "=", result.runId!).executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: "succeeded", counts: result.counts });
    const blob = (metric: string) => emf.find((e) => e._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === metric));

    const health = blob(HealthMetric.seatCounterDrift)!;
    expect(health._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: "Evently", Dimensions: [["service"]] });
    expect(health).toMatchObject({
      service: "evently",
      [HealthMetric.seatCounterDrift]: 4,
      [HealthMetric.pendingOver30m]: 1,
      [HealthMetric.failuresLastHour]: 2,
    });
    expect(health.job).toBeUndefined();
    for (const name of Object.values(HealthMetric)) expect(blob(name), name).toBe(health);

    const jobBlob = blob(JobMetric.succeeded)!;
    expect(jobBlob._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: "Evently", Dimensions: [["service", "job"]] });
    expect(jobBlob).toMatchObject({ service: "evently", job: "payment-health", [JobMetric.succeeded]: 1, [JobMetric.failed]: 0 });
    expect(jobBlob[JobMetric.durationMs]).toEqual(expect.any(Number));
  });

  it("a failing run is recorded as failed and signals JobFailed; a run that never finished is closed as failed", async () => {
    const abandoned = await t.db
      .insertInto("jobRuns")
      .values({ job: "payment-health", startedAt: ago(2 * HOUR) })
      .returning("id")
      .executeTakeFirstOrThrow();
    await sql`ALTER TABLE payment_health_snapshots RENAME TO payment_health_snapshots_gone`.execute(t.db);
    try {
      const { outcome, emf } = await runJobCapturingMetrics();
      expect(outcome.ok).toBe(false);
      const failed = await t.db
        .selectFrom("jobRuns")
        .selectAll()
        .where("job", "=", "payment-health")
        .where("status", "=", "failed")
        .orderBy("startedAt", "desc")
        .execute();
      expect(failed[0]).toMatchObject({ error: expect.stringContaining("payment_health_snapshots"), counts: {} });
      expect(failed[0]!.durationMs).toEqual(expect.any(Number));
      expect(failed.find((r) => r.id === abandoned.id)).toMatchObject({ error: "did not finish: timed out or crashed" });
      const jobBlob = emf.find((e) => e._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === JobMetric.failed))!;
      expect(jobBlob).toMatchObject({ job: "payment-health", [JobMetric.failed]: 1, [JobMetric.succeeded]: 0 });
    } finally {
      await sql`ALTER TABLE payment_health_snapshots_gone RENAME TO payment_health_snapshots`.execute(t.db);
    }
  });
});

type Emf = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
};

/** Invokes the deployed handler with metrics on and collects the EMF lines it prints. */
async function runJobCapturingMetrics() {
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
  vi.resetModules(); // fresh Metrics singletons that read the variable above
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(String(chunk));
    return write(chunk, ...rest);
  });
  try {
    (await import("@evently/functions/lib/db")).setDb(t.db);
    const { handler } = await import("@evently/functions/jobs/payment-health");
    const outcome = await handler(scheduledEvent({ name: "payment-health" }), lambdaContext("job-payment-health", 60)).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const emf = lines
      .flatMap((l) => l.split("\n"))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Emf);
    return { outcome, emf };
  } finally {
    spy.mockRestore();
    vi.unstubAllEnvs();
  }
}
