// Provider work as tasks (docs/RELIABILITY.md): calls to the payment provider that follow a commit
// are rows written in that commit, carried out afterwards by the request, a queue worker or the
// sweep. Idempotency keys gain the resource they produced and a lease, so a retry resumes the
// same order or refund instead of making another.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE provider_tasks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CONSTRAINT provider_tasks_kind_check CHECK (kind IN ('create_intent', 'cancel_intent', 'refund')),
      payment_id uuid NOT NULL CONSTRAINT provider_tasks_payment_id_fkey REFERENCES payments (id) ON DELETE CASCADE,
      refund_id uuid CONSTRAINT provider_tasks_refund_id_fkey REFERENCES refunds (id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'pending' CONSTRAINT provider_tasks_status_check CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempts integer NOT NULL DEFAULT 0 CONSTRAINT provider_tasks_attempts_check CHECK (attempts >= 0),
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz,
      last_error text,
      outcome text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      -- A refund task names its refund; intent tasks do not.
      CONSTRAINT provider_tasks_refund_check CHECK ((kind = 'refund') = (refund_id IS NOT NULL)),
      CONSTRAINT provider_tasks_completed_check CHECK ((status = 'pending') = (completed_at IS NULL)),
      -- One task per piece of work: recording it twice is a no-op.
      CONSTRAINT provider_tasks_work_key UNIQUE NULLS NOT DISTINCT (kind, payment_id, refund_id)
    )`.execute(db);
  await sql`CREATE INDEX provider_tasks_due_idx ON provider_tasks (next_attempt_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX provider_tasks_failed_idx ON provider_tasks (completed_at) WHERE status = 'failed'`.execute(db);
  await sql`CREATE TRIGGER provider_tasks_set_updated_at BEFORE UPDATE ON provider_tasks FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(
    db,
  );

  // resource_id: the order or refund the key produced (set in the same transaction as it).
  // locked_until: a lease while a request works on the key; a crashed one frees it at its time limit.
  await sql`ALTER TABLE idempotency_keys ADD COLUMN resource_id uuid, ADD COLUMN locked_until timestamptz`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE idempotency_keys DROP COLUMN resource_id, DROP COLUMN locked_until`.execute(db);
  await sql`DROP TABLE provider_tasks`.execute(db);
}
