// Participation history written by trigger (docs/ARCHITECTURE.md, invariant 6), its archive, and the trigger itself.
import { sql, type Kysely } from "kysely";

// Shared by the live table and the archive, which must stay column-for-column identical so the
// archive job can move rows with INSERT … SELECT *.
const columns = sql`
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  participation_id uuid NOT NULL,
  action_type text NOT NULL,
  old_values jsonb,
  new_values jsonb,
  changed_by uuid,
  change_reason text,
  ip_address inet,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now()`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE participation_history (
      ${columns},
      CONSTRAINT participation_history_participation_id_fkey
        FOREIGN KEY (participation_id) REFERENCES participations (id) ON DELETE CASCADE,
      CONSTRAINT participation_history_changed_by_fkey
        FOREIGN KEY (changed_by) REFERENCES users (id) ON DELETE SET NULL,
      CONSTRAINT participation_history_action_type_check
        CHECK (action_type IN ('Created', 'Updated', 'Cancelled', 'Refunded', 'StatusChanged', 'PaymentUpdated'))
    )`.execute(db);
  await sql`
    CREATE INDEX participation_history_participation_id_created_at_idx
      ON participation_history (participation_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX participation_history_old_values_gin_idx ON participation_history USING GIN (old_values)`.execute(db);
  await sql`CREATE INDEX participation_history_new_values_gin_idx ON participation_history USING GIN (new_values)`.execute(db);
  // The archive job selects by age in bounded batches.
  await sql`CREATE INDEX participation_history_created_at_idx ON participation_history (created_at)`.execute(db);

  // No foreign keys: archived history outlives its participation and its actor. The primary key
  // stays so a re-run of an interrupted batch can skip rows already copied (ON CONFLICT DO NOTHING).
  await sql`CREATE TABLE participation_history_archive (${columns})`.execute(db);
  await sql`CREATE INDEX participation_history_archive_created_at_idx ON participation_history_archive (created_at)`.execute(db);
  await sql`
    CREATE INDEX participation_history_archive_participation_id_idx
      ON participation_history_archive (participation_id)`.execute(db);

  // Who and why come from transaction-local settings (packages/core/src/db/audit-context.ts).
  // set_config(…, true) leaves '' rather than NULL behind once a session has used a setting,
  // hence NULLIF before the casts. created_at is clock_timestamp(), not now(): now() is
  // the same for every change in one transaction, which would leave their order undefined.
  // Every update is logged, even one that changes nothing: an audit trail records every write.
  await sql`
    CREATE FUNCTION log_participation_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      action text;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        action := 'Created';
      ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        action := CASE NEW.status
          WHEN 'cancelled' THEN 'Cancelled'
          WHEN 'refunded' THEN 'Refunded'
          ELSE 'StatusChanged'
        END;
      ELSE
        action := 'Updated';
      END IF;
      INSERT INTO participation_history
        (participation_id, action_type, old_values, new_values, changed_by, change_reason, ip_address, user_agent, created_at)
      VALUES (
        NEW.id,
        action,
        CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END,
        to_jsonb(NEW),
        NULLIF(current_setting('app.actor_id', true), '')::uuid,
        NULLIF(current_setting('app.change_reason', true), ''),
        NULLIF(current_setting('app.ip_address', true), '')::inet,
        NULLIF(current_setting('app.user_agent', true), ''),
        clock_timestamp()
      );
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER participations_log_change AFTER INSERT OR UPDATE ON participations
      FOR EACH ROW EXECUTE FUNCTION log_participation_change()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER participations_log_change ON participations`.execute(db);
  await sql`DROP FUNCTION log_participation_change()`.execute(db);
  await sql`DROP TABLE participation_history_archive`.execute(db);
  await sql`DROP TABLE participation_history`.execute(db);
}
