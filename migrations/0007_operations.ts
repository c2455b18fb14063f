// Operational tables: the webhook inbox, stored responses for Idempotency-Key, job runs, health snapshots.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // The inbox: the processor inserts event.id in the same transaction as the effect, so a
  // redelivered event hits webhook_events_provider_event_id_key and becomes a no-op.
  await sql`
    CREATE TABLE webhook_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      provider text NOT NULL DEFAULT 'stripe' CONSTRAINT webhook_events_provider_check CHECK (provider IN ('stripe')),
      provider_event_id text NOT NULL CONSTRAINT webhook_events_provider_event_id_key UNIQUE,
      type text NOT NULL,
      status text NOT NULL CONSTRAINT webhook_events_status_check CHECK (status IN ('processed', 'ignored', 'failed')),
      outcome text,
      attempts integer NOT NULL DEFAULT 1 CONSTRAINT webhook_events_attempts_check CHECK (attempts >= 0),
      received_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz,
      error text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX webhook_events_status_received_at_idx ON webhook_events (status, received_at)`.execute(db);

  // Keyed per user and route: the same client key on two routes names two different requests.
  await sql`
    CREATE TABLE idempotency_keys (
      user_id uuid NOT NULL CONSTRAINT idempotency_keys_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
      key text NOT NULL CONSTRAINT idempotency_keys_key_check CHECK (char_length(key) BETWEEN 1 AND 255),
      scope text NOT NULL CONSTRAINT idempotency_keys_scope_check CHECK (char_length(scope) BETWEEN 1 AND 100),
      request_hash text NOT NULL,
      status text NOT NULL DEFAULT 'in_progress'
        CONSTRAINT idempotency_keys_status_check CHECK (status IN ('in_progress', 'completed')),
      response_status integer CONSTRAINT idempotency_keys_response_status_check
        CHECK (response_status IS NULL OR response_status BETWEEN 100 AND 599),
      response_body jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours',
      -- A completed key must be able to replay its response.
      CONSTRAINT idempotency_keys_response_check CHECK (status <> 'completed' OR response_status IS NOT NULL),
      CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, scope, key)
    )`.execute(db);
  await sql`CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`.execute(db);
  await sql`CREATE TRIGGER idempotency_keys_set_updated_at BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(
    db,
  );

  await sql`
    CREATE TABLE job_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      job text NOT NULL,
      status text NOT NULL DEFAULT 'running' CONSTRAINT job_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed')),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      duration_ms integer CONSTRAINT job_runs_duration_ms_check CHECK (duration_ms IS NULL OR duration_ms >= 0),
      counts jsonb NOT NULL DEFAULT '{}',
      error text
    )`.execute(db);
  await sql`CREATE INDEX job_runs_job_started_at_idx ON job_runs (job, started_at DESC)`.execute(db);

  await sql`
    CREATE TABLE payment_health_snapshots (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      taken_at timestamptz NOT NULL DEFAULT now(),
      measures jsonb NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX payment_health_snapshots_taken_at_idx ON payment_health_snapshots (taken_at DESC)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE payment_health_snapshots`.execute(db);
  await sql`DROP TABLE job_runs`.execute(db);
  await sql`DROP TABLE idempotency_keys`.execute(db);
  await sql`DROP TABLE webhook_events`.execute(db);
}
