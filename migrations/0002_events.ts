// Events and what describes them: venues, categories, the event ⇄ category link, status history.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE venues (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CONSTRAINT venues_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
      address text,
      city text,
      country text,
      capacity integer CONSTRAINT venues_capacity_check CHECK (capacity IS NULL OR capacity >= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE TRIGGER venues_set_updated_at BEFORE UPDATE ON venues FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(db);

  await sql`
    CREATE TABLE categories (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CONSTRAINT categories_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
      slug text NOT NULL CONSTRAINT categories_slug_key UNIQUE
        CONSTRAINT categories_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 100),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organizer_id uuid NOT NULL CONSTRAINT events_organizer_id_fkey REFERENCES users (id) ON DELETE RESTRICT,
      title text NOT NULL CONSTRAINT events_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
      description text CONSTRAINT events_description_check CHECK (description IS NULL OR char_length(description) <= 10000),
      kind text NOT NULL CONSTRAINT events_kind_check CHECK (kind IN ('rsvp', 'ticketed')),
      status text NOT NULL DEFAULT 'draft'
        CONSTRAINT events_status_check CHECK (status IN ('draft', 'published', 'completed', 'cancelled')),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      timezone text NOT NULL DEFAULT 'UTC',
      capacity integer NOT NULL CONSTRAINT events_capacity_check CHECK (capacity BETWEEN 1 AND 1000000),
      -- Active + held (pending) seats. Taken only by a conditional UPDATE (docs/ARCHITECTURE.md, invariant 1);
      -- this CHECK is the last line of defence against oversell, and also stops capacity edits below it.
      seats_taken integer NOT NULL DEFAULT 0,
      location text,
      venue_id uuid CONSTRAINT events_venue_id_fkey REFERENCES venues (id) ON DELETE SET NULL,
      waitlist_enabled boolean NOT NULL DEFAULT false,
      cancellation_cutoff_hours integer NOT NULL DEFAULT 24
        CONSTRAINT events_cancellation_cutoff_hours_check CHECK (cancellation_cutoff_hours >= 0),
      published_at timestamptz,
      cancelled_at timestamptz,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_time_range_check CHECK (ends_at > starts_at),
      CONSTRAINT events_seats_taken_check CHECK (seats_taken >= 0 AND seats_taken <= capacity)
    )`.execute(db);
  await sql`CREATE INDEX events_status_starts_at_idx ON events (status, starts_at)`.execute(db);
  await sql`CREATE INDEX events_organizer_id_idx ON events (organizer_id)`.execute(db);
  await sql`CREATE INDEX events_venue_id_idx ON events (venue_id)`.execute(db);
  // The `q` filter of GET /events must use exactly this expression to hit the index.
  await sql`
    CREATE INDEX events_search_idx ON events
      USING GIN (to_tsvector('simple', title || ' ' || coalesce(description, '')))`.execute(db);
  await sql`CREATE TRIGGER events_set_updated_at BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(db);

  await sql`
    CREATE TABLE event_categories (
      event_id uuid NOT NULL CONSTRAINT event_categories_event_id_fkey REFERENCES events (id) ON DELETE CASCADE,
      category_id uuid NOT NULL CONSTRAINT event_categories_category_id_fkey REFERENCES categories (id) ON DELETE CASCADE,
      CONSTRAINT event_categories_pkey PRIMARY KEY (event_id, category_id)
    )`.execute(db);
  // The primary key serves lookups by event; the `category` filter needs the other direction.
  await sql`CREATE INDEX event_categories_category_id_idx ON event_categories (category_id)`.execute(db);

  // Seed 003's lifecycle audit; previous_status is null for the row written at creation.
  await sql`
    CREATE TABLE event_status_history (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      event_id uuid NOT NULL CONSTRAINT event_status_history_event_id_fkey REFERENCES events (id) ON DELETE CASCADE,
      previous_status text CONSTRAINT event_status_history_previous_status_check
        CHECK (previous_status IS NULL OR previous_status IN ('draft', 'published', 'completed', 'cancelled')),
      new_status text NOT NULL CONSTRAINT event_status_history_new_status_check
        CHECK (new_status IN ('draft', 'published', 'completed', 'cancelled')),
      changed_by uuid CONSTRAINT event_status_history_changed_by_fkey REFERENCES users (id) ON DELETE SET NULL,
      reason text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX event_status_history_event_id_created_at_idx ON event_status_history (event_id, created_at DESC)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE event_status_history`.execute(db);
  await sql`DROP TABLE event_categories`.execute(db);
  await sql`DROP TABLE events`.execute(db);
  await sql`DROP TABLE categories`.execute(db);
  await sql`DROP TABLE venues`.execute(db);
}
