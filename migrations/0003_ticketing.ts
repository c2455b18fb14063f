// Ticket types, promo codes, participations (RSVPs and tickets in one table) and check-ins.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ticket_types (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      event_id uuid NOT NULL CONSTRAINT ticket_types_event_id_fkey REFERENCES events (id) ON DELETE CASCADE,
      name text NOT NULL CONSTRAINT ticket_types_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
      price_minor bigint NOT NULL CONSTRAINT ticket_types_price_minor_check CHECK (price_minor >= 0),
      currency text NOT NULL CONSTRAINT ticket_types_currency_check CHECK (currency IN ('USD', 'EUR', 'GBP', 'CAD')),
      -- NULL: limited only by the event's capacity.
      quantity integer CONSTRAINT ticket_types_quantity_check CHECK (quantity IS NULL OR quantity >= 1),
      quantity_taken integer NOT NULL DEFAULT 0,
      sales_start_at timestamptz,
      sales_end_at timestamptz,
      early_bird_price_minor bigint,
      early_bird_until timestamptz,
      group_min_quantity integer,
      group_discount_percent numeric(5,2),
      sliding_scale_max_percent numeric(5,2) NOT NULL DEFAULT 0
        CONSTRAINT ticket_types_sliding_scale_max_percent_check CHECK (sliding_scale_max_percent BETWEEN 0 AND 75),
      min_per_order integer NOT NULL DEFAULT 1 CONSTRAINT ticket_types_min_per_order_check CHECK (min_per_order >= 1),
      max_per_order integer NOT NULL DEFAULT 10,
      active boolean NOT NULL DEFAULT true,
      sort_order integer NOT NULL DEFAULT 0 CONSTRAINT ticket_types_sort_order_check CHECK (sort_order >= 0),
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT ticket_types_quantity_taken_check
        CHECK (quantity_taken >= 0 AND (quantity IS NULL OR quantity_taken <= quantity)),
      CONSTRAINT ticket_types_sales_window_check
        CHECK (sales_start_at IS NULL OR sales_end_at IS NULL OR sales_end_at > sales_start_at),
      CONSTRAINT ticket_types_early_bird_check CHECK (
        (early_bird_price_minor IS NULL AND early_bird_until IS NULL)
        OR (early_bird_price_minor IS NOT NULL AND early_bird_until IS NOT NULL
            AND early_bird_price_minor >= 0 AND early_bird_price_minor <= price_minor)),
      CONSTRAINT ticket_types_group_discount_check CHECK (
        (group_min_quantity IS NULL AND group_discount_percent IS NULL)
        OR (group_min_quantity IS NOT NULL AND group_discount_percent IS NOT NULL
            AND group_min_quantity >= 1 AND group_discount_percent BETWEEN 0 AND 100)),
      CONSTRAINT ticket_types_max_per_order_check CHECK (max_per_order >= min_per_order)
    )`.execute(db);
  await sql`CREATE INDEX ticket_types_event_id_sort_order_idx ON ticket_types (event_id, sort_order)`.execute(db);
  await sql`CREATE TRIGGER ticket_types_set_updated_at BEFORE UPDATE ON ticket_types FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(
    db,
  );

  await sql`
    CREATE TABLE promo_codes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      event_id uuid NOT NULL CONSTRAINT promo_codes_event_id_fkey REFERENCES events (id) ON DELETE CASCADE,
      code text NOT NULL CONSTRAINT promo_codes_code_check CHECK (char_length(code) BETWEEN 1 AND 64),
      percent_off numeric(5,2) CONSTRAINT promo_codes_percent_off_check CHECK (percent_off IS NULL OR (percent_off > 0 AND percent_off <= 100)),
      amount_off_minor bigint CONSTRAINT promo_codes_amount_off_minor_check CHECK (amount_off_minor IS NULL OR amount_off_minor > 0),
      max_uses integer CONSTRAINT promo_codes_max_uses_check CHECK (max_uses IS NULL OR max_uses >= 1),
      uses integer NOT NULL DEFAULT 0,
      valid_from timestamptz,
      valid_until timestamptz,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- Exactly one kind of discount: percent XOR amount.
      CONSTRAINT promo_codes_discount_check CHECK ((percent_off IS NULL) <> (amount_off_minor IS NULL)),
      CONSTRAINT promo_codes_uses_check CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
      CONSTRAINT promo_codes_validity_check CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_until > valid_from)
    )`.execute(db);
  // Codes are case-insensitive: look them up with lower(code) to use this index.
  await sql`CREATE UNIQUE INDEX promo_codes_event_code_key ON promo_codes (event_id, lower(code))`.execute(db);
  await sql`CREATE TRIGGER promo_codes_set_updated_at BEFORE UPDATE ON promo_codes FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(
    db,
  );

  await sql`
    CREATE TABLE participations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      event_id uuid NOT NULL CONSTRAINT participations_event_id_fkey REFERENCES events (id) ON DELETE CASCADE,
      user_id uuid NOT NULL CONSTRAINT participations_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
      kind text NOT NULL CONSTRAINT participations_kind_check CHECK (kind IN ('rsvp', 'ticket')),
      status text NOT NULL DEFAULT 'active'
        CONSTRAINT participations_status_check CHECK (status IN ('pending', 'active', 'waitlisted', 'cancelled', 'refunded')),
      -- Seats this participation holds (pending) or occupies (active), or asks for (waitlisted).
      quantity integer NOT NULL DEFAULT 1 CONSTRAINT participations_quantity_check CHECK (quantity >= 1),
      ticket_type_id uuid CONSTRAINT participations_ticket_type_id_fkey REFERENCES ticket_types (id) ON DELETE RESTRICT,
      hold_expires_at timestamptz,
      -- Waitlist order: set when (re)joining the waitlist, so a reactivated row queues at the back.
      waitlisted_at timestamptz,
      cancelled_at timestamptz,
      cancellation_reason text,
      notes text,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_by uuid CONSTRAINT participations_created_by_fkey REFERENCES users (id) ON DELETE SET NULL,
      updated_by uuid CONSTRAINT participations_updated_by_fkey REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT participations_ticket_type_check CHECK (kind = 'ticket' OR ticket_type_id IS NULL),
      CONSTRAINT participations_hold_check CHECK (status <> 'pending' OR hold_expires_at IS NOT NULL),
      CONSTRAINT participations_waitlisted_at_check CHECK (status <> 'waitlisted' OR waitlisted_at IS NOT NULL),
      CONSTRAINT participations_cancelled_at_check CHECK (
        (status IN ('cancelled', 'refunded') AND cancelled_at IS NOT NULL)
        OR (status NOT IN ('cancelled', 'refunded') AND cancelled_at IS NULL)),
      -- One row per user and event, cancelled ones included: re-registering reactivates the row.
      -- Not DEFERRABLE INITIALLY DEFERRED: PostgreSQL cannot use
      -- a deferrable constraint as the arbiter of INSERT … ON CONFLICT, which registration relies on.
      CONSTRAINT participations_user_event_key UNIQUE (user_id, event_id)
    )`.execute(db);
  // Seed 000's indexes, with its integer statuses (1 = active, 4 = waitlisted) as text.
  await sql`CREATE INDEX participations_event_id_status_idx ON participations (event_id, status) WHERE status = 'active'`.execute(db);
  await sql`CREATE INDEX participations_user_id_status_idx ON participations (user_id, status) WHERE status = 'active'`.execute(db);
  await sql`CREATE INDEX participations_created_at_idx ON participations (created_at DESC)`.execute(db);
  await sql`CREATE INDEX participations_metadata_gin_idx ON participations USING GIN (metadata)`.execute(db);
  await sql`CREATE INDEX participations_event_kind_status_created_idx ON participations (event_id, kind, status, created_at DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX participations_user_created_status_idx ON participations (user_id, created_at DESC, status)`.execute(db);
  await sql`
    CREATE INDEX participations_event_id_status_count_idx ON participations (event_id, status)
      WHERE status IN ('active', 'waitlisted')`.execute(db);
  // The expire-holds job scans expired holds; waitlist promotion takes the oldest waitlisted first.
  await sql`CREATE INDEX participations_hold_expires_at_idx ON participations (hold_expires_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX participations_waitlist_idx ON participations (event_id, waitlisted_at) WHERE status = 'waitlisted'`.execute(db);
  await sql`CREATE INDEX participations_ticket_type_id_idx ON participations (ticket_type_id) WHERE ticket_type_id IS NOT NULL`.execute(db);
  await sql`CREATE TRIGGER participations_set_updated_at BEFORE UPDATE ON participations FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(
    db,
  );

  await sql`
    CREATE TABLE check_ins (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      participation_id uuid NOT NULL CONSTRAINT check_ins_participation_id_fkey REFERENCES participations (id) ON DELETE CASCADE,
      checked_in_by uuid CONSTRAINT check_ins_checked_in_by_fkey REFERENCES users (id) ON DELETE SET NULL,
      checked_in_at timestamptz NOT NULL DEFAULT now(),
      -- One check-in per participation: a repeated check-in returns the first (ON CONFLICT DO NOTHING).
      CONSTRAINT check_ins_participation_id_key UNIQUE (participation_id)
    )`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE check_ins`.execute(db);
  await sql`DROP TABLE participations`.execute(db);
  await sql`DROP TABLE promo_codes`.execute(db);
  await sql`DROP TABLE ticket_types`.execute(db);
}
