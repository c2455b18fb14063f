// The mail outbox, promo codes limited to ticket types, and the promo give-back marker on orders.
import { sql, type Kysely } from "kysely";

const KINDS = [
  "rsvp_confirmed",
  "waitlist_joined",
  "waitlist_promoted",
  "order_confirmed",
  "hold_expired",
  "order_cancelled",
  "refund_issued",
  "event_cancelled",
  "event_changed",
  "event_reminder",
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const kinds = sql.join(KINDS.map((k) => sql.lit(k)));
  await sql`
    CREATE TABLE outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CONSTRAINT outbox_kind_check CHECK (kind IN (${kinds})),
      recipient text NOT NULL CONSTRAINT outbox_recipient_check CHECK (char_length(recipient) BETWEEN 3 AND 320),
      recipient_user_id uuid CONSTRAINT outbox_recipient_user_id_fkey REFERENCES users (id) ON DELETE SET NULL,
      -- What the templates render: captured when the cause happened, not when the mail is sent.
      payload jsonb NOT NULL,
      -- One message per cause: writers name the cause, a repeated cause inserts nothing.
      dedupe_key text NOT NULL CONSTRAINT outbox_dedupe_key_key UNIQUE,
      status text NOT NULL DEFAULT 'pending' CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0 CONSTRAINT outbox_attempts_check CHECK (attempts >= 0),
      -- A sender working on the row holds it until then; a crashed sender's lease simply runs out.
      locked_until timestamptz,
      -- Set when a send began, cleared when its outcome is recorded: set on a claim means the
      -- previous attempt died between sending and recording (a possible duplicate).
      sending_since timestamptz,
      sent_at timestamptz,
      provider_message_id text,
      last_error text,
      event_id uuid,
      participation_id uuid,
      order_id uuid,
      refund_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT outbox_sent_at_check CHECK ((status = 'sent') = (sent_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX outbox_recipient_idx ON outbox (recipient, created_at DESC)`.execute(db);
  await sql`CREATE INDEX outbox_participation_idx ON outbox (participation_id) WHERE participation_id IS NOT NULL`.execute(db);

  // NULL: the code applies to every ticket type of its event.
  await sql`ALTER TABLE promo_codes ADD COLUMN ticket_type_ids uuid[]
    CONSTRAINT promo_codes_ticket_type_ids_check CHECK (ticket_type_ids IS NULL OR cardinality(ticket_type_ids) >= 1)`.execute(db);
  // Set once when an unpaid order gives its promo use back, so the use is returned exactly once.
  await sql`ALTER TABLE orders ADD COLUMN promo_released_at timestamptz`.execute(db);
  // Completion looks for published events that ended (reminders use events_status_starts_at_idx).
  await sql`CREATE INDEX events_published_ends_at_idx ON events (ends_at) WHERE status = 'published'`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX events_published_ends_at_idx`.execute(db);
  await sql`ALTER TABLE orders DROP COLUMN promo_released_at`.execute(db);
  await sql`ALTER TABLE promo_codes DROP COLUMN ticket_type_ids`.execute(db);
  await sql`DROP TABLE outbox`.execute(db);
}
