// The physical-limit baselines: every row a seat hold (or an RSVP) writes, as ONE statement sent
// with `pg` — one round trip, one implicit transaction, the hot event row locked only for the
// statement itself. No product code path can write the same rows faster on this database.
import type pg from "pg";

type Queryable = Pick<pg.Pool, "query">;

/**
 * A data-modifying CTE cannot roll itself back, so a statement that inserted a participation but
 * found no seat calls this to abort. A volatile function, so the planner never folds it away.
 */
export async function installRefuse(db: Queryable): Promise<void> {
  await db.query(`CREATE OR REPLACE FUNCTION bench_refuse(reason text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
    BEGIN RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = reason; END $$`);
}

const refused = (error: unknown, reason: string) =>
  (error as { code?: unknown; message?: unknown } | null)?.code === "P0001" && (error as { message?: unknown }).message === reason;

export interface HoldRequest {
  eventId: string;
  ticketTypeId: string;
  userId: string;
  quantity: number;
  holdTtlSeconds: number;
  /** The Idempotency-Key the hold claims (scope orders:create), and its request hash. */
  key: string;
  requestHash: string;
  leaseSeconds: number;
}

/**
 * Participation (pending, with its hold), both seat counters (event row first), order, payment,
 * PaymentInitiated audit row, create_intent provider task and the in-progress Idempotency-Key,
 * priced from the ticket type's price. Triggers on participations write what they always write.
 */
const HOLD = `WITH part AS (
    INSERT INTO participations (event_id, user_id, kind, status, quantity, ticket_type_id, hold_expires_at, metadata, created_by, updated_by)
    VALUES ($1, $2, 'ticket', 'pending', $4, $3, now() + make_interval(secs => $5), '{}'::jsonb, $2, $2)
    ON CONFLICT (user_id, event_id) DO NOTHING
    RETURNING id, hold_expires_at
  ), seat AS (
    UPDATE events SET seats_taken = seats_taken + $4
    WHERE id = $1 AND status = 'published' AND seats_taken + $4 <= capacity AND EXISTS (SELECT 1 FROM part)
    RETURNING id
  ), type AS (
    UPDATE ticket_types SET quantity_taken = quantity_taken + $4
    WHERE id = $3 AND event_id = $1 AND EXISTS (SELECT 1 FROM seat) AND (quantity IS NULL OR quantity_taken + $4 <= quantity)
    RETURNING price_minor, currency
  ), o AS (
    INSERT INTO orders (participation_id, event_id, user_id, ticket_type_id, quantity, unit_price_minor, early_bird_applied,
      group_discount_minor, promo_code_id, promo_discount_minor, sliding_scale_percent, sliding_scale_discount_minor,
      subtotal_minor, amount_minor, currency, status, hold_expires_at)
    SELECT part.id, $1, $2, $3, $4, type.price_minor, false, 0, NULL, 0, 0, 0, type.price_minor * $4, type.price_minor * $4,
      type.currency, 'pending', part.hold_expires_at
    FROM part, type
    RETURNING id, amount_minor, currency
  ), p AS (
    INSERT INTO payments (order_id, user_id, amount_minor, currency, sliding_scale_percent)
    SELECT o.id, $2, o.amount_minor, o.currency, 0 FROM o
    RETURNING id, amount_minor, currency
  ), a AS (
    INSERT INTO payment_audit_log (payment_id, user_id, action_type, action_description, new_values)
    SELECT p.id, $2, 'PaymentInitiated', 'Order placed; seats held until payment',
      jsonb_build_object('status', 'pending', 'amountMinor', p.amount_minor, 'currency', p.currency)
    FROM p
  ), t AS (
    INSERT INTO provider_tasks (kind, payment_id) SELECT 'create_intent', p.id FROM p
  ), k AS (
    INSERT INTO idempotency_keys (user_id, scope, key, request_hash, resource_id, response_status, locked_until)
    SELECT $2, 'orders:create', $6, $7, o.id, 201, now() + make_interval(secs => $8) FROM o
  )
  SELECT (SELECT id FROM o) AS order_id,
    CASE WHEN EXISTS (SELECT 1 FROM part) AND NOT EXISTS (SELECT 1 FROM type) THEN bench_refuse('sold_out') ELSE true END AS ok`;

/** One hold in one statement: the order id, or null when the buyer is already registered or the seats are gone. */
export async function oneStatementHold(db: Queryable, r: HoldRequest): Promise<string | null> {
  try {
    const { rows } = await db.query<{ order_id: string | null }>(HOLD, [
      r.eventId,
      r.userId,
      r.ticketTypeId,
      r.quantity,
      r.holdTtlSeconds,
      r.key,
      r.requestHash,
      r.leaseSeconds,
    ]);
    return rows[0]?.order_id ?? null;
  } catch (error) {
    if (refused(error, "sold_out")) return null;
    throw error;
  }
}

/** An RSVP: the active participation, the event's seat counter and the confirmation mail in the outbox. */
const RSVP = `WITH part AS (
    INSERT INTO participations (event_id, user_id, kind, status, quantity, metadata, created_by, updated_by)
    VALUES ($1, $2, 'rsvp', 'active', 1, '{}'::jsonb, $2, $2)
    ON CONFLICT (user_id, event_id) DO NOTHING
    RETURNING id, status, created_at
  ), seat AS (
    UPDATE events SET seats_taken = seats_taken + 1
    WHERE id = $1 AND status = 'published' AND seats_taken + 1 <= capacity AND EXISTS (SELECT 1 FROM part)
    RETURNING id, title, starts_at, ends_at, location
  ), mail AS (
    INSERT INTO outbox (kind, recipient, recipient_user_id, payload, dedupe_key, event_id, participation_id)
    SELECT 'rsvp_confirmed', u.email, u.id,
      jsonb_build_object('event', to_jsonb(seat), 'participation', jsonb_build_object('id', part.id, 'status', part.status)),
      'rsvp_confirmed:' || part.id || ':' || pg_current_xact_id()::text, seat.id, part.id
    FROM part, seat, users u WHERE u.id = $2
  )
  SELECT (SELECT id FROM part) AS participation_id,
    CASE WHEN EXISTS (SELECT 1 FROM part) AND NOT EXISTS (SELECT 1 FROM seat) THEN bench_refuse('event_full') ELSE true END AS ok`;

/** One RSVP in one statement: the participation id, or null when already registered or full. */
export async function oneStatementRsvp(db: Queryable, r: { eventId: string; userId: string }): Promise<string | null> {
  try {
    const { rows } = await db.query<{ participation_id: string | null }>(RSVP, [r.eventId, r.userId]);
    return rows[0]?.participation_id ?? null;
  } catch (error) {
    if (refused(error, "event_full")) return null;
    throw error;
  }
}
