// The payment ledger (+ archive), failure records and audit log (docs/ARCHITECTURE.md "Data model").
import { sql, type Kysely } from "kysely";

// Shared by the ledger and its archive so the archive job can move rows with INSERT … SELECT *.
const transactionColumns = sql`
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id uuid NOT NULL,
  refund_id uuid,
  type text NOT NULL,
  amount_minor bigint NOT NULL,
  currency text NOT NULL,
  status text NOT NULL,
  provider_reference text,
  provider_response jsonb NOT NULL DEFAULT '{}',
  processed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE payment_transactions (
      ${transactionColumns},
      CONSTRAINT payment_transactions_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id) ON DELETE RESTRICT,
      CONSTRAINT payment_transactions_refund_id_fkey FOREIGN KEY (refund_id) REFERENCES refunds (id) ON DELETE RESTRICT,
      CONSTRAINT payment_transactions_type_check CHECK (type IN ('payment', 'refund', 'chargeback')),
      CONSTRAINT payment_transactions_amount_minor_check CHECK (amount_minor > 0),
      CONSTRAINT payment_transactions_currency_check CHECK (currency IN ('USD', 'EUR', 'GBP', 'CAD')),
      CONSTRAINT payment_transactions_status_check CHECK (status IN ('pending', 'completed', 'failed', 'cancelled'))
    )`.execute(db);
  await sql`CREATE INDEX payment_transactions_payment_id_created_at_idx ON payment_transactions (payment_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX payment_transactions_refund_id_idx ON payment_transactions (refund_id) WHERE refund_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX payment_transactions_processed_at_idx ON payment_transactions (processed_at DESC)`.execute(db);
  // The archive job moves completed transactions older than 7 years, oldest first.
  await sql`CREATE INDEX payment_transactions_archivable_idx ON payment_transactions (processed_at) WHERE status = 'completed'`.execute(db);

  // No foreign keys: archived ledger rows outlive everything they point at. The primary key stays
  // so a re-run of an interrupted batch can skip rows already copied.
  await sql`CREATE TABLE payment_transactions_archive (${transactionColumns})`.execute(db);
  await sql`CREATE INDEX payment_transactions_archive_processed_at_idx ON payment_transactions_archive (processed_at)`.execute(db);
  await sql`CREATE INDEX payment_transactions_archive_payment_id_idx ON payment_transactions_archive (payment_id)`.execute(db);

  await sql`
    CREATE TABLE payment_failures (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      payment_id uuid NOT NULL CONSTRAINT payment_failures_payment_id_fkey REFERENCES payments (id) ON DELETE CASCADE,
      failure_code text NOT NULL CONSTRAINT payment_failures_failure_code_check CHECK (char_length(failure_code) BETWEEN 1 AND 50),
      failure_message text NOT NULL,
      encrypted_error_details text,
      retry_count integer NOT NULL DEFAULT 0 CONSTRAINT payment_failures_retry_count_check CHECK (retry_count >= 0),
      failed_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX payment_failures_payment_id_idx ON payment_failures (payment_id)`.execute(db);
  await sql`CREATE INDEX payment_failures_failure_code_idx ON payment_failures (failure_code)`.execute(db);
  await sql`CREATE INDEX payment_failures_failed_at_idx ON payment_failures (failed_at DESC)`.execute(db);
  await sql`CREATE INDEX payment_failures_retry_count_idx ON payment_failures (retry_count) WHERE retry_count > 0`.execute(db);

  await sql`
    CREATE TABLE payment_audit_log (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      payment_id uuid NOT NULL CONSTRAINT payment_audit_log_payment_id_fkey REFERENCES payments (id) ON DELETE CASCADE,
      -- NULL for system actions (webhooks, jobs).
      user_id uuid CONSTRAINT payment_audit_log_user_id_fkey REFERENCES users (id) ON DELETE SET NULL,
      action_type text NOT NULL CONSTRAINT payment_audit_log_action_type_check CHECK (action_type IN (
        'PaymentInitiated', 'PaymentProcessed', 'PaymentCompleted',
        'PaymentFailed', 'PaymentRetried', 'RefundInitiated',
        'RefundCompleted', 'RefundFailed', 'StatusChanged',
        'MetadataUpdated', 'SystemAction')),
      action_description text NOT NULL,
      old_values jsonb,
      new_values jsonb,
      ip_address inet,
      user_agent text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX payment_audit_log_payment_id_created_at_idx ON payment_audit_log (payment_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX payment_audit_log_user_id_created_at_idx ON payment_audit_log (user_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX payment_audit_log_action_type_idx ON payment_audit_log (action_type)`.execute(db);
  await sql`CREATE INDEX payment_audit_log_created_at_idx ON payment_audit_log (created_at DESC)`.execute(db);
  await sql`CREATE INDEX payment_audit_log_old_values_gin_idx ON payment_audit_log USING GIN (old_values)`.execute(db);
  await sql`CREATE INDEX payment_audit_log_new_values_gin_idx ON payment_audit_log USING GIN (new_values)`.execute(db);
  await sql`
    CREATE INDEX payment_audit_log_failed_actions_idx ON payment_audit_log (created_at DESC)
      WHERE action_type IN ('PaymentFailed', 'RefundFailed')`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE payment_audit_log`.execute(db);
  await sql`DROP TABLE payment_failures`.execute(db);
  await sql`DROP TABLE payment_transactions_archive`.execute(db);
  await sql`DROP TABLE payment_transactions`.execute(db);
}
