// The organizer's participant list pages through one event in (created_at, id) order; without
// this index every page sorted all of the event's participations (benchmark stage 1).
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX participations_event_created_idx ON participations (event_id, created_at, id)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX participations_event_created_idx`.execute(db);
}
