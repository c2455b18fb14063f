// Payment health (docs/ARCHITECTURE.md "Schedules and alarms"): the measures the
// payment-health job stores as a snapshot for GET /ops/payment-health and emits as metrics.
import { sql, type RawBuilder } from "kysely";
import { taskHealth } from "../payments/provider-tasks";
import type { Db } from "../db/client";

export interface PaymentHealthMeasures {
  /** completed / (completed + failed) of payments processed in 24 h, percent; 100 when none. */
  successRate24h: number;
  completed24h: number;
  failed24h: number;
  /** Payments with at least one failed attempt (payment_failures) in the last hour. */
  failuresLastHour: number;
  /** Mean processed_at − created_at of payments the provider decided in the last hour; null when none. */
  avgProcessingSeconds: number | null;
  pendingOver30m: number;
  refundsProcessingOver24h: number;
  /** Inbox rows whose last attempt failed (retrying, or parked in the DLQ). */
  webhookEventsFailed: number;
  /** Inbox rows received over 5 minutes ago and still not processed. */
  webhookEventsUnprocessed: number;
  /** Provider tasks (intent creation, cancels, refunds) that failed for good: each needs an operator. */
  providerTasksFailed: number;
  /** Provider tasks still pending more than 5 minutes past their due time (workers down or behind). */
  providerTasksOverdue: number;
  /** Σ |counter − Σ quantity of pending + active participations| over events and ticket types. */
  seatCounterDrift: number;
  eventSeatDrift: number;
  ticketTypeSeatDrift: number;
  /** Events whose counters drift (the worst first, at most DRIFT_ID_LIMIT). */
  driftingEventIds: string[];
}

export interface PaymentHealthSnapshotView {
  takenAt: Date;
  measures: PaymentHealthMeasures;
}

export const DRIFT_ID_LIMIT = 20;

const SUCCEEDED = sql`('completed', 'partially_refunded', 'refunded')`;

async function paymentMeasures(db: Db, at: RawBuilder<unknown>) {
  const { rows } = await sql<
    Pick<
      PaymentHealthMeasures,
      | "completed24h"
      | "failed24h"
      | "failuresLastHour"
      | "avgProcessingSeconds"
      | "pendingOver30m"
      | "refundsProcessingOver24h"
      | "webhookEventsFailed"
      | "webhookEventsUnprocessed"
    >
  >`
    SELECT
      (SELECT count(*) FROM payments WHERE status IN ${SUCCEEDED} AND processed_at > ${at} - interval '24 hours')::int AS completed24h,
      (SELECT count(*) FROM payments WHERE status = 'failed' AND processed_at > ${at} - interval '24 hours')::int AS failed24h,
      (SELECT count(DISTINCT payment_id) FROM payment_failures WHERE failed_at > ${at} - interval '1 hour')::int AS failures_last_hour,
      (SELECT round(avg(extract(epoch FROM processed_at - created_at)), 3)::float8 FROM payments
        WHERE (status IN ${SUCCEEDED} OR status = 'failed') AND processed_at > ${at} - interval '1 hour') AS avg_processing_seconds,
      (SELECT count(*) FROM payments WHERE status = 'pending' AND created_at < ${at} - interval '30 minutes')::int AS pending_over30m,
      (SELECT count(*) FROM refunds WHERE status = 'processing' AND created_at < ${at} - interval '24 hours')::int AS refunds_processing_over24h,
      (SELECT count(*) FROM webhook_events WHERE status = 'failed')::int AS webhook_events_failed,
      (SELECT count(*) FROM webhook_events WHERE processed_at IS NULL AND received_at < ${at} - interval '5 minutes')::int AS webhook_events_unprocessed`.execute(
    db,
  );
  return rows[0]!;
}

/**
 * Seat counters against the rows they count (docs/ARCHITECTURE.md, invariant 1): any difference means seats were
 * taken or released without their participation moving, i.e. a bug or a manual edit.
 */
async function seatDrift(db: Db) {
  const { rows } = await sql<{ eventDrift: number; ticketTypeDrift: number; eventIds: string[] }>`
    WITH live AS (
      SELECT event_id, ticket_type_id, sum(quantity) AS q FROM participations
      WHERE status IN ('pending', 'active') GROUP BY event_id, ticket_type_id
    ), by_event AS (
      SELECT e.id AS event_id, abs(e.seats_taken - coalesce(l.q, 0)) AS drift FROM events e
      LEFT JOIN (SELECT event_id, sum(q) AS q FROM live GROUP BY event_id) l ON l.event_id = e.id
    ), by_type AS (
      SELECT t.event_id, abs(t.quantity_taken - coalesce(l.q, 0)) AS drift FROM ticket_types t
      LEFT JOIN (SELECT ticket_type_id, sum(q) AS q FROM live WHERE ticket_type_id IS NOT NULL GROUP BY ticket_type_id) l ON l.ticket_type_id = t.id
    ), drifting AS (
      SELECT event_id, sum(drift) AS drift FROM (SELECT * FROM by_event UNION ALL SELECT * FROM by_type) d
      WHERE drift <> 0 GROUP BY event_id ORDER BY sum(drift) DESC, event_id LIMIT ${DRIFT_ID_LIMIT}
    )
    SELECT
      (SELECT coalesce(sum(drift), 0) FROM by_event)::bigint AS event_drift,
      (SELECT coalesce(sum(drift), 0) FROM by_type)::bigint AS ticket_type_drift,
      coalesce((SELECT array_agg(event_id::text ORDER BY drift DESC, event_id) FROM drifting), '{}') AS event_ids`.execute(db);
  return rows[0]!;
}

/** Computes every measure at one instant (`now` for tests, else the database's now()). */
export async function measurePaymentHealth(db: Db, options: { now?: Date } = {}): Promise<PaymentHealthMeasures> {
  const at = options.now ? sql`${options.now.toISOString()}::timestamptz` : sql`now()`;
  const [p, drift, tasks] = await Promise.all([paymentMeasures(db, at), seatDrift(db), taskHealth(db)]);
  const decided = p.completed24h + p.failed24h;
  return {
    successRate24h: decided === 0 ? 100 : Math.round((10_000 * p.completed24h) / decided) / 100,
    completed24h: p.completed24h,
    failed24h: p.failed24h,
    failuresLastHour: p.failuresLastHour,
    avgProcessingSeconds: p.avgProcessingSeconds,
    pendingOver30m: p.pendingOver30m,
    refundsProcessingOver24h: p.refundsProcessingOver24h,
    webhookEventsFailed: p.webhookEventsFailed,
    webhookEventsUnprocessed: p.webhookEventsUnprocessed,
    providerTasksFailed: tasks.failed,
    providerTasksOverdue: tasks.overdue,
    seatCounterDrift: drift.eventDrift + drift.ticketTypeDrift,
    eventSeatDrift: drift.eventDrift,
    ticketTypeSeatDrift: drift.ticketTypeDrift,
    driftingEventIds: drift.eventIds,
  };
}

/** The payment-health job: measure, store the snapshot, hand the measures back for the metrics. */
export async function paymentHealth(db: Db, options: { now?: Date } = {}): Promise<PaymentHealthSnapshotView> {
  const measures = await measurePaymentHealth(db, options);
  const row = await db
    .insertInto("paymentHealthSnapshots")
    .values({ measures: sql`${JSON.stringify(measures)}::jsonb`, ...(options.now ? { takenAt: options.now } : {}) })
    .returning("takenAt")
    .executeTakeFirstOrThrow();
  return { takenAt: row.takenAt, measures };
}

/** GET /ops/payment-health: the newest snapshot, or undefined before the job first ran. */
export async function latestPaymentHealth(db: Db): Promise<PaymentHealthSnapshotView | undefined> {
  const row = await db
    .selectFrom("paymentHealthSnapshots")
    .select(["takenAt", "measures"])
    .orderBy("takenAt", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { takenAt: row.takenAt, measures: row.measures as unknown as PaymentHealthMeasures } : undefined;
}
