// Users (keyed by the identity provider's `sub`) and the shared updated_at trigger function.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`.execute(db);
  await sql`
    CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.updated_at = now();
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      external_id text NOT NULL CONSTRAINT users_external_id_key UNIQUE CHECK (length(external_id) BETWEEN 1 AND 255),
      email text CHECK (email IS NULL OR length(email) <= 320),
      display_name text CHECK (display_name IS NULL OR length(display_name) <= 200),
      roles text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX users_email_idx ON users (lower(email))`.execute(db);
  await sql`CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE users`.execute(db);
  await sql`DROP FUNCTION set_updated_at()`.execute(db);
}
