// Tickets (one per seat of an active participation, kept in step by a trigger), door staff, and
// the indexes behind the attendee search.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE tickets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      participation_id uuid NOT NULL CONSTRAINT tickets_participation_id_fkey REFERENCES participations (id) ON DELETE CASCADE,
      event_id uuid NOT NULL CONSTRAINT tickets_event_id_fkey REFERENCES events (id) ON DELETE CASCADE,
      ticket_type_id uuid CONSTRAINT tickets_ticket_type_id_fkey REFERENCES ticket_types (id) ON DELETE RESTRICT,
      -- 1..quantity within one activation of the participation.
      seat integer NOT NULL CONSTRAINT tickets_seat_check CHECK (seat >= 1),
      -- NULL: the seat is the buyer's own, shown with the buyer's current name and email.
      holder_name text CONSTRAINT tickets_holder_name_check CHECK (holder_name IS NULL OR char_length(holder_name) BETWEEN 1 AND 200),
      holder_email text CONSTRAINT tickets_holder_email_check CHECK (holder_email IS NULL OR char_length(holder_email) BETWEEN 3 AND 320),
      status text NOT NULL DEFAULT 'valid' CONSTRAINT tickets_status_check CHECK (status IN ('valid', 'void')),
      voided_at timestamptz,
      checked_in_at timestamptz,
      checked_in_by uuid CONSTRAINT tickets_checked_in_by_fkey REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT tickets_voided_at_check CHECK ((status = 'void') = (voided_at IS NOT NULL))
    )`.execute(db);
  // A seat never has two valid tickets; void ones stay as the record of earlier activations.
  await sql`CREATE UNIQUE INDEX tickets_participation_seat_valid_key ON tickets (participation_id, seat) WHERE status = 'valid'`.execute(
    db,
  );
  await sql`CREATE INDEX tickets_participation_id_idx ON tickets (participation_id)`.execute(db);
  // Attendee search: case-insensitive prefix (LIKE 'x%') on lower(...) needs text_pattern_ops
  // under a non-C collation.
  await sql`CREATE INDEX tickets_event_holder_name_idx ON tickets (event_id, lower(holder_name) text_pattern_ops) WHERE holder_name IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX tickets_event_holder_email_idx ON tickets (event_id, lower(holder_email) text_pattern_ops) WHERE holder_email IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX users_lower_email_pattern_idx ON users (lower(email) text_pattern_ops)`.execute(db);
  await sql`CREATE INDEX users_lower_display_name_pattern_idx ON users (lower(display_name) text_pattern_ops)`.execute(db);
  await sql`CREATE TRIGGER tickets_set_updated_at BEFORE UPDATE ON tickets FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(db);

  await sql`
    CREATE TABLE event_staff (
      event_id uuid NOT NULL CONSTRAINT event_staff_event_id_fkey REFERENCES events (id) ON DELETE CASCADE,
      user_id uuid NOT NULL CONSTRAINT event_staff_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL DEFAULT 'checker' CONSTRAINT event_staff_role_check CHECK (role IN ('checker')),
      created_by uuid CONSTRAINT event_staff_created_by_fkey REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT event_staff_pkey PRIMARY KEY (event_id, user_id)
    )`.execute(db);
  await sql`CREATE INDEX event_staff_user_id_idx ON event_staff (user_id)`.execute(db);

  // Every path that activates or ends a participation (RSVP, payment, comp, late re-seat,
  // promotion, cancellation, refund, event cancellation) goes through this trigger, in the
  // transaction of the status change itself: no code path can forget its tickets.
  await sql`
    CREATE FUNCTION sync_participation_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.status = 'active' AND (TG_OP = 'INSERT' OR OLD.status <> 'active') THEN
        INSERT INTO tickets (participation_id, event_id, ticket_type_id, seat)
        SELECT NEW.id, NEW.event_id, NEW.ticket_type_id, seat FROM generate_series(1, NEW.quantity) AS seat;
      ELSIF TG_OP = 'UPDATE' AND OLD.status = 'active' AND NEW.status <> 'active' THEN
        UPDATE tickets SET status = 'void', voided_at = now() WHERE participation_id = NEW.id AND status = 'valid';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER participations_sync_tickets AFTER INSERT OR UPDATE OF status ON participations
      FOR EACH ROW EXECUTE FUNCTION sync_participation_tickets()`.execute(db);

  // Backfill: participations that were active before tickets existed get theirs now.
  await sql`
    INSERT INTO tickets (participation_id, event_id, ticket_type_id, seat)
    SELECT p.id, p.event_id, p.ticket_type_id, seat
    FROM participations p CROSS JOIN LATERAL generate_series(1, p.quantity) AS seat
    WHERE p.status = 'active'`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER participations_sync_tickets ON participations`.execute(db);
  await sql`DROP FUNCTION sync_participation_tickets()`.execute(db);
  await sql`DROP TABLE event_staff`.execute(db);
  await sql`DROP INDEX users_lower_display_name_pattern_idx`.execute(db);
  await sql`DROP INDEX users_lower_email_pattern_idx`.execute(db);
  await sql`DROP TABLE tickets`.execute(db);
}
