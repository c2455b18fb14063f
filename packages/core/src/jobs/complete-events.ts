// The complete-events job: published events whose end has passed become completed, each with
// its status-history row, in one statement per batch.
import { sql } from "kysely";
import type { Db } from "../db/client";

export async function completeEvents(db: Db, options: { now?: Date; batchSize?: number } = {}): Promise<{ completed: number }> {
  const now = options.now ? sql`${options.now.toISOString()}::timestamptz` : sql`now()`;
  const batchSize = options.batchSize ?? 500;
  let completed = 0;
  for (;;) {
    // SKIP LOCKED: an event being edited or cancelled right now is completed by the next run.
    const { rows } = await sql<{ n: number }>`
      WITH due AS (
        SELECT id FROM events WHERE status = 'published' AND ends_at <= ${now}
        ORDER BY ends_at LIMIT ${batchSize} FOR NO KEY UPDATE SKIP LOCKED
      ), done AS (
        UPDATE events e SET status = 'completed' FROM due WHERE e.id = due.id AND e.status = 'published' RETURNING e.id
      ), history AS (
        INSERT INTO event_status_history (event_id, previous_status, new_status, reason)
        SELECT id, 'published', 'completed', 'The event ended' FROM done
      )
      SELECT count(*)::int AS n FROM done`.execute(db);
    const n = rows[0]?.n ?? 0;
    completed += n;
    if (n < batchSize) return { completed };
  }
}
