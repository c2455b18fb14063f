// place_ticket_hold(): a paid seat hold as one server-side call, so the hot event row is locked for one statement.
import { sql, type Kysely } from "kysely";

/*
 * Why a function: the hold writes six tables and ends on the event row every buyer of the event
 * queues for. Sent as separate statements inside BEGIN … COMMIT, each round trip is time that
 * row stays locked by nobody doing work; one call runs them back to back inside the server and
 * commits at once. The caller prices the order and checks the sales rules first (pure logic in
 * TypeScript); this function only writes, in this lock order:
 *   participation → promo code → order, payment, audit row, create_intent task → Idempotency-Key
 *   → event (seats) → ticket type (quantity), the event row locked LAST.
 * A waitlist promotion and a promo code edit lock the event before the promo code; when one meets
 * a hold on the same code PostgreSQL aborts one of them as a deadlock, and both callers retry.
 *
 * Outcomes the caller maps to domain errors are raised with their own SQLSTATE, which also rolls
 * back everything the call wrote:
 *   EVH01 the seats are gone (the caller's waitlist path)   EVH02 already registered
 *   EVH03 the promo code's last use was taken               EVH04 the Idempotency-Key was claimed by
 *                                                                 a concurrent request that committed
 * A buyer who already holds a pending order for the event gets {"ownOrderId": …} back (claiming
 * the key for it), so their retry answers 200 with that order.
 *
 * The create_intent task is inserted already leased (attempts 1) by this request, which calls
 * the provider right after commit; if the request dies, the lease runs out and a sweep or the
 * client's retry takes it.
 */
const PLACE_TICKET_HOLD = sql`
CREATE FUNCTION place_ticket_hold(h jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  uid uuid := h->>'userId';
  eid uuid := h->>'eventId';
  tid uuid := h->>'ticketTypeId';
  qty integer := (h->>'quantity')::integer;
  k jsonb := h->'key';
  part participations%ROWTYPE;
  own uuid;
  ord orders%ROWTYPE;
  pay payments%ROWTYPE;
  task_id uuid;
  promo text;
  title text;
BEGIN
  -- What setAuditContext sets, transaction-local: the history trigger reads them.
  PERFORM set_config('app.actor_id', uid::text, true),
          set_config('app.change_reason', '', true),
          set_config('app.ip_address', coalesce(h->>'ip', ''), true),
          set_config('app.user_agent', coalesce(h->>'userAgent', ''), true),
          -- The invocation's budget for lock waits (the event row): a 503 inside the time limit.
          set_config('lock_timeout', coalesce(h->>'lockTimeout', current_setting('lock_timeout')), true);

  -- One row per user and event: insert, or reactivate a cancelled/refunded one.
  INSERT INTO participations AS p (event_id, user_id, kind, status, quantity, ticket_type_id, hold_expires_at,
    waitlisted_at, metadata, created_by, updated_by)
  VALUES (eid, uid, 'ticket', 'pending', qty, tid, now() + make_interval(secs => (h->>'holdTtlSeconds')::integer),
    NULL, '{}', uid, uid)
  ON CONFLICT (user_id, event_id) DO UPDATE SET kind = 'ticket', status = 'pending', quantity = EXCLUDED.quantity,
    ticket_type_id = EXCLUDED.ticket_type_id, hold_expires_at = EXCLUDED.hold_expires_at, waitlisted_at = NULL,
    cancelled_at = NULL, cancellation_reason = NULL, metadata = '{}', updated_by = uid
  WHERE p.status IN ('cancelled', 'refunded')
  RETURNING * INTO part;

  IF NOT FOUND THEN
    -- A live participation already: the buyer's own pending order is given back, anything else refused.
    SELECT o.id INTO own FROM orders o JOIN participations p ON p.id = o.participation_id
    WHERE p.user_id = uid AND p.event_id = eid AND p.status = 'pending' AND o.status = 'pending'
    ORDER BY o.created_at DESC LIMIT 1;
    IF own IS NULL THEN
      RAISE EXCEPTION 'already registered' USING ERRCODE = 'EVH02';
    END IF;
    PERFORM claim_hold_key(k, uid, own, 200);
    RETURN jsonb_build_object('ownOrderId', own);
  END IF;

  IF h->>'promoCodeId' IS NOT NULL THEN
    UPDATE promo_codes SET uses = uses + 1
    WHERE id = (h->>'promoCodeId')::uuid AND (max_uses IS NULL OR uses < max_uses)
    RETURNING code INTO promo;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'promo code exhausted' USING ERRCODE = 'EVH03';
    END IF;
  END IF;

  INSERT INTO orders (participation_id, event_id, user_id, ticket_type_id, quantity, unit_price_minor,
    early_bird_applied, group_discount_minor, promo_code_id, promo_discount_minor, sliding_scale_percent,
    sliding_scale_discount_minor, subtotal_minor, amount_minor, currency, status, hold_expires_at)
  VALUES (part.id, eid, uid, tid, qty, (h->>'unitPriceMinor')::bigint, (h->>'earlyBirdApplied')::boolean,
    (h->>'groupDiscountMinor')::bigint, (h->>'promoCodeId')::uuid, (h->>'promoDiscountMinor')::bigint,
    (h->>'slidingScalePercent')::numeric, (h->>'slidingScaleDiscountMinor')::bigint, (h->>'subtotalMinor')::bigint,
    (h->>'amountMinor')::bigint, h->>'currency', 'pending', part.hold_expires_at)
  RETURNING * INTO ord;

  INSERT INTO payments (order_id, user_id, amount_minor, currency, sliding_scale_percent)
  VALUES (ord.id, uid, ord.amount_minor, ord.currency, ord.sliding_scale_percent)
  RETURNING * INTO pay;

  INSERT INTO payment_audit_log (payment_id, user_id, action_type, action_description, new_values, ip_address, user_agent)
  VALUES (pay.id, uid, 'PaymentInitiated', 'Order placed; seats held until payment',
    jsonb_build_object('status', 'pending', 'amountMinor', pay.amount_minor, 'currency', pay.currency),
    nullif(h->>'ip', '')::inet, h->>'userAgent');

  INSERT INTO provider_tasks (kind, payment_id, attempts, locked_until)
  VALUES ('create_intent', pay.id, 1, now() + make_interval(secs => (h->>'taskLeaseSeconds')::double precision))
  RETURNING id INTO task_id;

  PERFORM claim_hold_key(k, uid, ord.id, 201);

  -- Last: the row every buyer of this event waits for stays locked only until the COMMIT that follows.
  UPDATE events e SET seats_taken = seats_taken + qty
  WHERE e.id = eid AND e.status = 'published' AND seats_taken + qty <= capacity
  RETURNING e.title INTO title;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no seats left' USING ERRCODE = 'EVH01';
  END IF;
  UPDATE ticket_types SET quantity_taken = quantity_taken + qty
  WHERE id = tid AND event_id = eid AND (quantity IS NULL OR quantity_taken + qty <= quantity);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no seats left for the ticket type' USING ERRCODE = 'EVH01';
  END IF;

  -- Everything the answer and the PaymentIntent are built from: no re-read after commit.
  RETURN jsonb_build_object(
    'order', jsonb_build_object('id', ord.id, 'participationId', ord.participation_id, 'ticketTypeId', ord.ticket_type_id,
      'quantity', ord.quantity, 'unitPriceMinor', ord.unit_price_minor, 'amountMinor', ord.amount_minor,
      'currency', ord.currency, 'slidingScalePercent', ord.sliding_scale_percent, 'promoCode', promo,
      'holdExpiresAt', ord.hold_expires_at, 'createdAt', ord.created_at),
    'participation', jsonb_build_object('id', part.id, 'eventId', part.event_id, 'userId', part.user_id,
      'kind', part.kind, 'status', part.status, 'quantity', part.quantity, 'waitlistPosition', NULL,
      'holdExpiresAt', iso_micros(part.hold_expires_at), 'createdAt', iso_micros(part.created_at), 'cancelledAt', NULL,
      'checkedInAt', (SELECT iso_micros(checked_in_at) FROM check_ins WHERE participation_id = part.id)),
    'payment', jsonb_build_object('id', pay.id, 'status', pay.status, 'amountMinor', pay.amount_minor,
      'currency', pay.currency, 'provider', pay.provider),
    'taskId', task_id,
    'eventTitle', title,
    'receiptEmail', (SELECT email FROM users WHERE id = uid));
END
$fn$`;

// The participation resource's timestamp format (UTC, microseconds), as its SQL view renders it.
const ISO_MICROS = sql`
CREATE FUNCTION iso_micros(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $fn$`;

/*
 * Claims the request's Idempotency-Key (k null: no key) for the resource the hold produced. A
 * concurrent request with the same key waits on the primary key until the first commits; then
 * nothing is inserted and EVH04 rolls this one back.
 */
const CLAIM_HOLD_KEY = sql`
CREATE FUNCTION claim_hold_key(k jsonb, uid uuid, resource uuid, answer integer) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF k IS NULL OR jsonb_typeof(k) = 'null' THEN
    RETURN;
  END IF;
  INSERT INTO idempotency_keys (user_id, scope, key, request_hash, resource_id, response_status, locked_until)
  VALUES (uid, k->>'scope', k->>'key', k->>'requestHash', resource, answer,
    now() + make_interval(secs => (k->>'leaseSeconds')::double precision))
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'idempotency key taken' USING ERRCODE = 'EVH04';
  END IF;
END
$fn$`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await ISO_MICROS.execute(db);
  await CLAIM_HOLD_KEY.execute(db);
  await PLACE_TICKET_HOLD.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION place_ticket_hold(jsonb)`.execute(db);
  await sql`DROP FUNCTION claim_hold_key(jsonb, uuid, uuid, integer)`.execute(db);
  await sql`DROP FUNCTION iso_micros(timestamptz)`.execute(db);
}
