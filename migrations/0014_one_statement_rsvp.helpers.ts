// The building blocks of migration 0014's place_rsvp() and cancel_rsvp(), in the order they are created.
import { sql } from "kysely";

// The participation resource (core/ticketing/views.ts renders the same for reads): the waitlist
// position is derived from (waitlisted_at, id), the order promotion takes.
const PARTICIPATION_JSON = sql`
CREATE FUNCTION participation_json(p participations) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
  RETURN jsonb_build_object('id', p.id, 'eventId', p.event_id, 'userId', p.user_id, 'kind', p.kind, 'status', p.status,
    'quantity', p.quantity,
    'waitlistPosition', CASE WHEN p.status = 'waitlisted' THEN (
      SELECT count(*)::int FROM participations w
      WHERE w.event_id = p.event_id AND w.status = 'waitlisted' AND (w.waitlisted_at, w.id) <= (p.waitlisted_at, p.id)) END,
    'holdExpiresAt', iso_micros(p.hold_expires_at), 'createdAt', iso_micros(p.created_at),
    'cancelledAt', iso_micros(p.cancelled_at),
    'checkedInAt', (SELECT iso_micros(checked_in_at) FROM check_ins WHERE participation_id = p.id));
END
$fn$`;

// One message about a participation, with the payload core/mail/notify.ts writes (event and
// participation facts, times as JS renders them) and its dedupe key naming this transaction as the
// cause. No row when the user has no address. Returns the outbox id for the after-commit nudge.
const ENQUEUE_PARTICIPATION_MAIL = sql`
CREATE FUNCTION enqueue_participation_mail(mail_kind text, pid uuid, extra jsonb) RETURNS uuid
LANGUAGE plpgsql AS $fn$
DECLARE
  mail uuid;
BEGIN
  INSERT INTO outbox (kind, recipient, recipient_user_id, payload, dedupe_key, event_id, participation_id)
  SELECT mail_kind, u.email, u.id,
    jsonb_build_object(
      'event', jsonb_build_object('id', e.id, 'title', e.title,
        'startsAt', to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'endsAt', to_char(e.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'timezone', e.timezone, 'location', e.location),
      'participation', jsonb_build_object('id', p.id, 'kind', p.kind, 'status', p.status, 'quantity', p.quantity,
        'holdExpiresAt', to_char(p.hold_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    ) || extra,
    mail_kind || ':' || p.id || ':' || pg_current_xact_id()::text, e.id, p.id
  FROM participations p
  JOIN events e ON e.id = p.event_id
  JOIN users u ON u.id = p.user_id
  WHERE p.id = pid AND u.email IS NOT NULL
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING id INTO mail;
  RETURN mail;
END
$fn$`;

/*
 * Inserts the user's RSVP with status st, or reactivates their cancelled/refunded row (one row per
 * user and event). A NULL row: they already hold a live one. DO NOTHING and a conditional UPDATE
 * rather than ON CONFLICT DO UPDATE … WHERE, which locks the existing row even when it refuses the
 * update: a waitlisted user re-sending an RSVP would make a concurrent promotion (SKIP LOCKED) pass
 * them over. clock_timestamp(): rows queued by concurrent transactions order by when each joined.
 */
const RSVP_PARTICIPATION = sql`
CREATE FUNCTION rsvp_participation(eid uuid, uid uuid, st text) RETURNS participations
LANGUAGE plpgsql AS $fn$
DECLARE
  part participations%ROWTYPE;
  queued_at timestamptz := CASE WHEN st = 'waitlisted' THEN clock_timestamp() END;
BEGIN
  INSERT INTO participations (event_id, user_id, kind, status, quantity, waitlisted_at, created_by, updated_by)
  VALUES (eid, uid, 'rsvp', st, 1, queued_at, uid, uid)
  ON CONFLICT (user_id, event_id) DO NOTHING
  RETURNING * INTO part;
  IF NOT FOUND THEN
    UPDATE participations SET kind = 'rsvp', status = st, quantity = 1, ticket_type_id = NULL, hold_expires_at = NULL,
      waitlisted_at = queued_at, cancelled_at = NULL, cancellation_reason = NULL, updated_by = uid
    WHERE user_id = uid AND event_id = eid AND status IN ('cancelled', 'refunded')
    RETURNING * INTO part;
  END IF;
  RETURN part;
END
$fn$`;

// What the history trigger and the lock waits read, transaction-local (core/db/audit-context.ts).
const RSVP_CONTEXT = sql`
CREATE FUNCTION rsvp_context(r jsonb, actor text, reason text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM set_config('app.actor_id', actor, true), set_config('app.change_reason', reason, true),
    set_config('app.ip_address', coalesce(r->>'ip', ''), true), set_config('app.user_agent', coalesce(r->>'userAgent', ''), true),
    -- The invocation's budget for lock waits (the event row): a 503 inside the time limit.
    set_config('lock_timeout', coalesce(r->>'lockTimeout', current_setting('lock_timeout')), true);
END
$fn$`;

/*
 * How every RSVP call begins: the caller's audit context, then the event as read without a lock,
 * with what the caller needs to name a refusal made before anything is written. Open means public
 * (as core/events/access.ts isPublic has it), an rsvp event, and not ended; registering also needs
 * it published.
 */
const RSVP_BEGIN = sql`
CREATE FUNCTION rsvp_begin(r jsonb, reason text, OUT facts jsonb, OUT is_open boolean, OUT published boolean,
  OUT looks_full boolean, OUT waitlist boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  e record;
BEGIN
  PERFORM rsvp_context(r, r->>'userId', reason);
  SELECT kind, status, published_at, waitlist_enabled, seats_taken >= capacity AS full, ends_at <= now() AS ended
  INTO e FROM events WHERE id = (r->>'eventId')::uuid;
  IF NOT FOUND THEN
    -- facts stay NULL: no such event
    is_open := false;
    published := false;
    RETURN;
  END IF;
  facts := jsonb_build_object('kind', e.kind, 'status', e.status, 'publishedAt', e.published_at, 'ended', e.ended);
  is_open := e.kind = 'rsvp' AND NOT e.ended
    AND (e.status IN ('published', 'completed') OR (e.status = 'cancelled' AND e.published_at IS NOT NULL));
  published := e.status = 'published';
  looks_full := e.full;
  waitlist := e.waitlist_enabled;
END
$fn$`;

/** Each function's DDL and its signature (for DROP FUNCTION), in creation order. */
export const RSVP_HELPERS = [
  { ddl: PARTICIPATION_JSON, signature: "participation_json(participations)" },
  { ddl: ENQUEUE_PARTICIPATION_MAIL, signature: "enqueue_participation_mail(text, uuid, jsonb)" },
  { ddl: RSVP_PARTICIPATION, signature: "rsvp_participation(uuid, uuid, text)" },
  { ddl: RSVP_CONTEXT, signature: "rsvp_context(jsonb, text, text)" },
  { ddl: RSVP_BEGIN, signature: "rsvp_begin(jsonb, text)" },
];
