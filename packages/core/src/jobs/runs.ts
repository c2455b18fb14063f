// The job_runs ledger: one row per scheduled run, so operators see what every run did and how long it took.
import { sql } from "kysely";
import type { Db } from "../db/client";
import type { JobRun } from "./jobs.table";

/** What a job reports about its run; stored as the row's `counts` jsonb. */
export type JobCounts = Record<string, number | boolean | string | null>;

export async function startJobRun(db: Db, job: string): Promise<string> {
  const row = await db.insertInto("jobRuns").values({ job }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

export interface JobRunOutcome {
  status: "succeeded" | "failed";
  durationMs: number;
  counts?: JobCounts;
  error?: string | null;
}

export async function finishJobRun(db: Db, id: string, outcome: JobRunOutcome): Promise<void> {
  await db
    .updateTable("jobRuns")
    .set({
      status: outcome.status,
      finishedAt: sql<Date>`now()`,
      durationMs: Math.max(0, Math.round(outcome.durationMs)),
      counts: sql`${JSON.stringify(outcome.counts ?? {})}::jsonb`,
      error: outcome.error?.slice(0, 2000) ?? null,
    })
    .where("id", "=", id)
    .execute();
}

/**
 * A run killed by its timeout (or a crash) never finishes its row. Once it is certainly dead —
 * older than the job's timeout — it is marked failed, so "running" always means running.
 */
export async function failAbandonedRuns(db: Db, job: string, timeoutSeconds: number): Promise<number> {
  const rows = await db
    .updateTable("jobRuns")
    .set({ status: "failed", finishedAt: sql<Date>`now()`, error: "did not finish: timed out or crashed" })
    .where("job", "=", job)
    .where("status", "=", "running")
    .where("startedAt", "<", sql<Date>`now() - make_interval(secs => ${timeoutSeconds})`)
    .returning("id")
    .execute();
  return rows.length;
}

export const recentJobRuns = (db: Db, job: string, limit = 20): Promise<JobRun[]> =>
  db.selectFrom("jobRuns").selectAll().where("job", "=", job).orderBy("startedAt", "desc").limit(limit).execute();
