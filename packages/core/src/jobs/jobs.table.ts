// Kysely table types for scheduled job runs and the payment-health snapshots they store.
import type { Generated, Insertable, Selectable, Updateable } from "kysely";

type JsonObject = Record<string, unknown>;

export type JobRunStatus = "running" | "succeeded" | "failed";

/** One row per scheduled run: inserted 'running', finished with its counts and duration. */
export interface JobRunsTable {
  id: Generated<string>;
  /** The job's name from schedules.ts, e.g. 'expire-holds'. */
  job: string;
  status: Generated<JobRunStatus>;
  startedAt: Generated<Date>;
  finishedAt: Date | null;
  durationMs: number | null;
  /** What the run did, e.g. `{ released: 3, promoted: 1 }`. */
  counts: Generated<JsonObject>;
  error: string | null;
}

export interface PaymentHealthSnapshotsTable {
  id: Generated<string>;
  takenAt: Generated<Date>;
  /** The payment-health measures (success rate, failed last hour, drift, …) as JSON. */
  measures: JsonObject;
}

export type JobRun = Selectable<JobRunsTable>;
export type NewJobRun = Insertable<JobRunsTable>;
export type JobRunUpdate = Updateable<JobRunsTable>;

export type PaymentHealthSnapshot = Selectable<PaymentHealthSnapshotsTable>;
export type NewPaymentHealthSnapshot = Insertable<PaymentHealthSnapshotsTable>;
