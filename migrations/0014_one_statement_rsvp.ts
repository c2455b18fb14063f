// place_rsvp() and cancel_rsvp(): an RSVP, and its cancellation with the waitlist's promotion, as one server-side call each.
import { sql, type Kysely } from "kysely";
import { RSVP_HELPERS } from "./0014_one_statement_rsvp.helpers";

/*
 * Why functions: as with place_ticket_hold (0013), every round trip inside BEGIN … COMMIT is time
 * the event row, which every RSVP of the event queues for, stays locked by nobody doing work. One
 * call writes the participation, the seat and the mail row back to back inside the server and
 * commits at once, and answers with the Participation resource built from the rows it wrote.
 *
 * A refusal found before anything is written (no such event, not an open rsvp event) returns the
 * event's facts, {"closed": …}, and the caller names the refusal. A refusal after a write raises
 * its own SQLSTATE, which also rolls back everything the call wrote:
 *   EVR01 the hot path found no seat left (the caller runs the call again under the lock)
 *   EVR02 already registered      EVR03 full without a waitlist    EVR04 no longer published
 *   EVR05 not registered (cancel) EVR06 the caller's row kept changing under the cancellation
 */

/*
 * r: {eventId, userId, ip, userAgent, lockTimeout, underLock}. The hot path, while seats seem to
 * remain: participation, mail row, then the seat UPDATE that locks the event row last, held only
 * until the COMMIT that follows. Once the event looks full with a waitlist (or the hot path lost
 * the last seat, EVR01, and the caller calls again with underLock), the decision between seat and
 * waitlist is taken holding the event row: a cancellation releases and promotes under that same
 * lock, so a newcomer never takes a seat a waiter is owed, and a waitlisted RSVP never sits behind
 * a free seat. Its waitlist position counts rows committed before the lock was granted.
 */
const PLACE_RSVP = sql`
CREATE FUNCTION place_rsvp(r jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  uid uuid := r->>'userId';
  eid uuid := r->>'eventId';
  ev record;
  lk record;
  part participations%ROWTYPE;
  seated boolean;
  mail uuid;
BEGIN
  SELECT * INTO ev FROM rsvp_begin(r, 'RSVP');
  IF NOT (ev.is_open AND ev.published) THEN
    RETURN jsonb_build_object('closed', ev.facts);
  END IF;

  IF NOT coalesce((r->>'underLock')::boolean, false) AND NOT (ev.looks_full AND ev.waitlist) THEN
    part := rsvp_participation(eid, uid, 'active');
    IF part.id IS NULL THEN
      RAISE EXCEPTION 'already registered' USING ERRCODE = 'EVR02';
    END IF;
    mail := enqueue_participation_mail('rsvp_confirmed', part.id, '{}');
    UPDATE events SET seats_taken = seats_taken + 1
    WHERE id = eid AND status = 'published' AND seats_taken + 1 <= capacity;
    IF NOT FOUND THEN
      IF ev.waitlist THEN
        RAISE EXCEPTION 'no seat left' USING ERRCODE = 'EVR01';
      END IF;
      -- No seat can also mean the event stopped being published meanwhile: say which.
      IF (SELECT status FROM events WHERE id = eid) <> 'published' THEN
        RAISE EXCEPTION 'event not open' USING ERRCODE = 'EVR04';
      END IF;
      RAISE EXCEPTION 'event full' USING ERRCODE = 'EVR03';
    END IF;
  ELSE
    SELECT status, capacity, seats_taken, waitlist_enabled INTO lk FROM events WHERE id = eid FOR NO KEY UPDATE;
    IF lk.status <> 'published' THEN
      RAISE EXCEPTION 'event not open' USING ERRCODE = 'EVR04';
    END IF;
    seated := lk.seats_taken < lk.capacity;
    -- Re-read under the lock: the organizer may have switched the waitlist off meanwhile.
    IF NOT seated AND NOT lk.waitlist_enabled THEN
      RAISE EXCEPTION 'event full' USING ERRCODE = 'EVR03';
    END IF;
    IF seated THEN
      UPDATE events SET seats_taken = seats_taken + 1 WHERE id = eid;
    END IF;
    part := rsvp_participation(eid, uid, CASE WHEN seated THEN 'active' ELSE 'waitlisted' END);
    IF part.id IS NULL THEN
      RAISE EXCEPTION 'already registered' USING ERRCODE = 'EVR02';
    END IF;
    mail := enqueue_participation_mail(CASE WHEN seated THEN 'rsvp_confirmed' ELSE 'waitlist_joined' END, part.id, '{}');
  END IF;

  RETURN jsonb_build_object('participation', participation_json(part), 'mailIds', to_jsonb(array_remove(ARRAY[mail], NULL)));
END
$fn$`;

/*
 * r: {eventId, userId, reason, ip, userAgent, lockTimeout}. The conditional status change first
 * (a seat is released exactly once), holding the event row when the row holds a seat, in the
 * order every seat change locks: event, then participation. The freed seats go to the earliest
 * waiting RSVPs in the same transaction (invariant 5); waiters locked by someone else right now
 * are passed over, not waited for. An RSVP event queues only RSVPs; kind = 'rsvp' keeps a stray
 * ticket request from ever becoming active without its payment. Cancelling an already cancelled
 * RSVP returns it unchanged.
 */
const CANCEL_RSVP = sql`
CREATE FUNCTION cancel_rsvp(r jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  uid uuid := r->>'userId';
  eid uuid := r->>'eventId';
  ev record;
  lk record;
  own participations%ROWTYPE;
  gone participations%ROWTYPE;
  waiter record;
  holds boolean;
  free integer;
  promoted integer := 0;
  mails uuid[] := '{}';
BEGIN
  SELECT * INTO ev FROM rsvp_begin(r, coalesce(r->>'reason', 'RSVP cancelled by the attendee'));
  IF NOT ev.is_open THEN
    RETURN jsonb_build_object('closed', ev.facts);
  END IF;

  -- A waitlisted row can be promoted between our read and our update: then look again.
  FOR look IN 1..3 LOOP
    SELECT * INTO own FROM participations WHERE user_id = uid AND event_id = eid;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'not registered' USING ERRCODE = 'EVR05';
    END IF;
    IF own.status IN ('cancelled', 'refunded') THEN
      RETURN jsonb_build_object('participation', participation_json(own), 'mailIds', '[]'::jsonb);
    END IF;
    holds := own.status IN ('pending', 'active');
    IF holds THEN
      SELECT status, capacity, seats_taken INTO lk FROM events WHERE id = eid FOR NO KEY UPDATE;
    END IF;
    UPDATE participations SET status = 'cancelled', cancelled_at = now(), cancellation_reason = r->>'reason',
      hold_expires_at = NULL, updated_by = uid
    WHERE id = own.id AND status = own.status
    RETURNING * INTO gone;
    CONTINUE WHEN NOT FOUND;
    IF holds THEN
      free := lk.capacity - lk.seats_taken + own.quantity;
      IF lk.status = 'published' THEN
        -- Promotions are the system's doing, not the canceller's: their history says so.
        PERFORM rsvp_context('{}', '', 'Promoted from the waitlist: a seat was freed');
        FOR waiter IN
          SELECT id, quantity FROM participations
          WHERE event_id = eid AND status = 'waitlisted' AND kind = 'rsvp' AND quantity <= free
          ORDER BY waitlisted_at, id
          FOR UPDATE SKIP LOCKED
        LOOP
          EXIT WHEN free <= 0;
          CONTINUE WHEN waiter.quantity > free;
          UPDATE participations SET status = 'active', hold_expires_at = NULL, cancelled_at = NULL, cancellation_reason = NULL
          WHERE id = waiter.id;
          free := free - waiter.quantity;
          promoted := promoted + waiter.quantity;
          mails := mails || enqueue_participation_mail('waitlist_promoted', waiter.id, '{"order": null}');
        END LOOP;
      END IF;
      -- One counter update for the seat released and the seats given on, under the lock taken above.
      UPDATE events SET seats_taken = seats_taken - own.quantity + promoted WHERE id = eid;
      IF own.ticket_type_id IS NOT NULL THEN
        UPDATE ticket_types SET quantity_taken = quantity_taken - own.quantity WHERE id = own.ticket_type_id;
      END IF;
    END IF;
    RETURN jsonb_build_object('participation', participation_json(gone), 'mailIds', to_jsonb(array_remove(mails, NULL)));
  END LOOP;
  RAISE EXCEPTION 'participation changing concurrently' USING ERRCODE = 'EVR06';
END
$fn$`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  for (const ddl of [...RSVP_HELPERS.map((h) => h.ddl), PLACE_RSVP, CANCEL_RSVP]) await ddl.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const signature of ["cancel_rsvp(jsonb)", "place_rsvp(jsonb)", ...RSVP_HELPERS.map((h) => h.signature).reverse()]) {
    await sql`DROP FUNCTION ${sql.raw(signature)}`.execute(db);
  }
}
