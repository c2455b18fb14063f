// Orders, payments and refunds (Stripe PaymentIntents, integer minor units).
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Every money row references its parents with RESTRICT: nothing that was paid for can vanish.
  await sql`
    CREATE TABLE orders (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      participation_id uuid NOT NULL CONSTRAINT orders_participation_id_fkey REFERENCES participations (id) ON DELETE RESTRICT,
      event_id uuid NOT NULL CONSTRAINT orders_event_id_fkey REFERENCES events (id) ON DELETE RESTRICT,
      user_id uuid NOT NULL CONSTRAINT orders_user_id_fkey REFERENCES users (id) ON DELETE RESTRICT,
      ticket_type_id uuid NOT NULL CONSTRAINT orders_ticket_type_id_fkey REFERENCES ticket_types (id) ON DELETE RESTRICT,
      quantity integer NOT NULL CONSTRAINT orders_quantity_check CHECK (quantity >= 1),
      unit_price_minor bigint NOT NULL CONSTRAINT orders_unit_price_minor_check CHECK (unit_price_minor >= 0),
      early_bird_applied boolean NOT NULL DEFAULT false,
      group_discount_minor bigint NOT NULL DEFAULT 0 CONSTRAINT orders_group_discount_minor_check CHECK (group_discount_minor >= 0),
      promo_code_id uuid CONSTRAINT orders_promo_code_id_fkey REFERENCES promo_codes (id) ON DELETE RESTRICT,
      promo_discount_minor bigint NOT NULL DEFAULT 0 CONSTRAINT orders_promo_discount_minor_check CHECK (promo_discount_minor >= 0),
      sliding_scale_percent numeric(5,2) NOT NULL DEFAULT 0
        CONSTRAINT orders_sliding_scale_percent_check CHECK (sliding_scale_percent BETWEEN 0 AND 75),
      sliding_scale_discount_minor bigint NOT NULL DEFAULT 0
        CONSTRAINT orders_sliding_scale_discount_minor_check CHECK (sliding_scale_discount_minor >= 0),
      subtotal_minor bigint NOT NULL CONSTRAINT orders_subtotal_minor_check CHECK (subtotal_minor >= 0),
      amount_minor bigint NOT NULL CONSTRAINT orders_amount_minor_check CHECK (amount_minor >= 0),
      currency text NOT NULL CONSTRAINT orders_currency_check CHECK (currency IN ('USD', 'EUR', 'GBP', 'CAD')),
      status text NOT NULL DEFAULT 'pending'
        CONSTRAINT orders_status_check CHECK (status IN ('pending', 'confirmed', 'cancelled', 'expired')),
      hold_expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX orders_participation_id_idx ON orders (participation_id)`.execute(db);
  await sql`CREATE INDEX orders_user_id_idx ON orders (user_id)`.execute(db);
  await sql`CREATE INDEX orders_event_id_created_at_idx ON orders (event_id, created_at)`.execute(db);
  await sql`CREATE TRIGGER orders_set_updated_at BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(db);

  await sql`
    CREATE TABLE payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id uuid NOT NULL CONSTRAINT payments_order_id_fkey REFERENCES orders (id) ON DELETE RESTRICT,
      user_id uuid NOT NULL CONSTRAINT payments_user_id_fkey REFERENCES users (id) ON DELETE RESTRICT,
      provider text NOT NULL DEFAULT 'stripe' CONSTRAINT payments_provider_check CHECK (provider IN ('stripe')),
      status text NOT NULL DEFAULT 'pending' CONSTRAINT payments_status_check
        CHECK (status IN ('pending', 'completed', 'failed', 'cancelled', 'refunded', 'partially_refunded')),
      amount_minor bigint NOT NULL CONSTRAINT payments_amount_minor_check CHECK (amount_minor >= 0),
      currency text NOT NULL CONSTRAINT payments_currency_check CHECK (currency IN ('USD', 'EUR', 'GBP', 'CAD')),
      refunded_minor bigint NOT NULL DEFAULT 0,
      sliding_scale_percent numeric(5,2) NOT NULL DEFAULT 0
        CONSTRAINT payments_sliding_scale_percent_check CHECK (sliding_scale_percent BETWEEN 0 AND 75),
      -- Provider ids: AES-256-GCM ciphertext (key-version prefixed) plus an HMAC blind index to look them up.
      provider_payment_id_enc text,
      provider_payment_id_hash text,
      provider_customer_id_enc text,
      card_brand text,
      card_last4 text CONSTRAINT payments_card_last4_check CHECK (card_last4 IS NULL OR card_last4 ~ '^\\d{4}$'),
      processed_at timestamptz,
      refunded_at timestamptz,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT payments_refunded_minor_check CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
      -- Seed 001's CHK_Payments_RefundRequiresOriginalPayment: an amount refunded has a refund time.
      CONSTRAINT payments_refunded_at_check CHECK ((refunded_minor = 0) = (refunded_at IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX payments_user_id_created_at_idx ON payments (user_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX payments_order_id_idx ON payments (order_id)`.execute(db);
  await sql`CREATE INDEX payments_status_idx ON payments (status)`.execute(db);
  await sql`CREATE INDEX payments_processed_at_idx ON payments (processed_at DESC)`.execute(db);
  await sql`CREATE INDEX payments_pending_idx ON payments (created_at DESC) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX payments_failed_idx ON payments (processed_at DESC) WHERE status = 'failed'`.execute(db);
  await sql`CREATE INDEX payments_refunded_idx ON payments (refunded_at DESC) WHERE refunded_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX payments_metadata_gin_idx ON payments USING GIN (metadata)`.execute(db);
  await sql`
    CREATE UNIQUE INDEX payments_provider_payment_id_hash_key ON payments (provider_payment_id_hash)
      WHERE provider_payment_id_hash IS NOT NULL`.execute(db);
  // Seed 001's UX_Payments_EventRegistration_Completed, widened: a completed payment that was later
  // (partly) refunded still captured money for the order, so it keeps blocking a second capture.
  await sql`
    CREATE UNIQUE INDEX payments_order_completed_key ON payments (order_id)
      WHERE status IN ('completed', 'partially_refunded', 'refunded')`.execute(db);
  await sql`CREATE TRIGGER payments_set_updated_at BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(db);

  await sql`
    CREATE TABLE refunds (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      payment_id uuid NOT NULL CONSTRAINT refunds_payment_id_fkey REFERENCES payments (id) ON DELETE RESTRICT,
      amount_minor bigint NOT NULL CONSTRAINT refunds_amount_minor_check CHECK (amount_minor > 0),
      currency text NOT NULL CONSTRAINT refunds_currency_check CHECK (currency IN ('USD', 'EUR', 'GBP', 'CAD')),
      reason text NOT NULL CONSTRAINT refunds_reason_check CHECK (length(trim(reason)) BETWEEN 10 AND 1000),
      status text NOT NULL DEFAULT 'processing'
        CONSTRAINT refunds_status_check CHECK (status IN ('processing', 'completed', 'failed')),
      provider_refund_id_enc text,
      provider_refund_id_hash text,
      -- NULL for refunds the system starts itself (a payment that arrived after its seats were gone).
      requested_by uuid CONSTRAINT refunds_requested_by_fkey REFERENCES users (id) ON DELETE SET NULL,
      processed_at timestamptz,
      failure_reason text,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX refunds_payment_id_idx ON refunds (payment_id)`.execute(db);
  await sql`CREATE INDEX refunds_requested_by_idx ON refunds (requested_by)`.execute(db);
  await sql`CREATE INDEX refunds_processed_at_idx ON refunds (processed_at DESC)`.execute(db);
  await sql`CREATE INDEX refunds_status_idx ON refunds (status)`.execute(db);
  await sql`CREATE INDEX refunds_metadata_gin_idx ON refunds USING GIN (metadata)`.execute(db);
  // payment-health counts refunds stuck in processing for over 24 hours.
  await sql`CREATE INDEX refunds_processing_idx ON refunds (created_at) WHERE status = 'processing'`.execute(db);
  await sql`
    CREATE UNIQUE INDEX refunds_provider_refund_id_hash_key ON refunds (provider_refund_id_hash)
      WHERE provider_refund_id_hash IS NOT NULL`.execute(db);
  await sql`CREATE TRIGGER refunds_set_updated_at BEFORE UPDATE ON refunds FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE refunds`.execute(db);
  await sql`DROP TABLE payments`.execute(db);
  await sql`DROP TABLE orders`.execute(db);
}
