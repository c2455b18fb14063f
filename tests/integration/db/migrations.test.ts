// Migrations on an empty database: every step up and down leaves exactly the schema of its level.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { sql, type Kysely } from "kysely";
import { createMigrationDb, migrate } from "@evently/core/db/migrator";
import { migrations } from "../../../migrations";
import { adminUrl, urlWithDatabase } from "../../support/db";

const name = `m_${randomBytes(6).toString("hex")}`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let db: Kysely<any>;

async function admin(query: string): Promise<void> {
  const client = new pg.Client(adminUrl());
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${name}`);
  db = createMigrationDb(urlWithDatabase(adminUrl(), name));
});
afterAll(async () => {
  await db.destroy();
  await admin(`DROP DATABASE ${name}`);
});

const BOOKKEEPING = ["kysely_migration", "kysely_migration_lock"];

const EXPECTED_TABLES = [
  "users",
  "venues",
  "categories",
  "events",
  "event_categories",
  "event_status_history",
  "ticket_types",
  "promo_codes",
  "participations",
  "participation_history",
  "participation_history_archive",
  "check_ins",
  "orders",
  "payments",
  "refunds",
  "payment_transactions",
  "payment_transactions_archive",
  "payment_failures",
  "payment_audit_log",
  "webhook_events",
  "idempotency_keys",
  "job_runs",
  "payment_health_snapshots",
];

async function tables(): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select tablename as name from pg_tables where schemaname = 'public' order by 1`.execute(db);
  return rows.map((r) => r.name);
}

/** Everything a migration can create in `public`, minus the migrator's own tables and pgcrypto's functions. */
async function fingerprint(): Promise<string[]> {
  const { rows } = await sql<{ item: string }>`
    select format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) as item
      from information_schema.columns
      where table_schema = 'public' and table_name not like 'kysely_migration%'
    union all
    select format('constraint %s on %s: %s', conname, conrelid::regclass, pg_get_constraintdef(oid))
      from pg_constraint where connamespace = 'public'::regnamespace
        and conrelid::regclass::text not like 'kysely_migration%'
    union all
    select format('index %s', indexdef) from pg_indexes
      where schemaname = 'public' and tablename not like 'kysely_migration%'
    union all
    select format('trigger %s on %s', tgname, tgrelid::regclass) from pg_trigger where not tgisinternal
    union all
    select format('function %s', p.oid::regprocedure) from pg_proc p
      where p.pronamespace = 'public'::regnamespace
        and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
    order by 1`.execute(db);
  return rows.map((r) => r.item);
}

describe("migrations", () => {
  const names = Object.keys(migrations);
  const levels: string[][] = [];

  it("go up one at a time from an empty database to the whole schema", async () => {
    levels.push(await fingerprint());
    expect(levels[0]).toEqual([]);
    for (const migration of names) {
      const result = await migrate(db, "up");
      expect(result.results?.map((r) => [r.migrationName, r.status])).toEqual([[migration, "Success"]]);
      levels.push(await fingerprint());
    }
    // Containing, not equal: a later migration may add tables; the fingerprints above cover those.
    expect(await tables()).toEqual(expect.arrayContaining([...EXPECTED_TABLES, ...BOOKKEEPING]));
  });

  it("step down one at a time, each step restoring exactly the schema below it", async () => {
    for (let level = names.length - 1; level >= 0; level--) {
      const result = await migrate(db, "down");
      expect(result.results?.map((r) => [r.migrationName, r.status])).toEqual([[names[level], "Success"]]);
      expect(await fingerprint()).toEqual(levels[level]);
    }
    expect(await tables()).toEqual(BOOKKEEPING);
  });

  it("go to latest, to zero and to latest again with the same schema each time", async () => {
    await migrate(db, "latest");
    expect(await fingerprint()).toEqual(levels[names.length]);
    await migrate(db, "zero");
    expect(await fingerprint()).toEqual([]);
    expect(await tables()).toEqual(BOOKKEEPING);
    await migrate(db, "latest");
    expect(await fingerprint()).toEqual(levels[names.length]);
    expect(await tables()).toEqual(expect.arrayContaining(EXPECTED_TABLES));
  });

  it("keep updated_at current on every table that has one", async () => {
    const { rows } = await sql<{ table: string }>`
      select c.table_name as table from information_schema.columns c
        where c.table_schema = 'public' and c.column_name = 'updated_at'
          and not exists (
            select 1 from pg_trigger t join pg_proc p on p.oid = t.tgfoid
              where t.tgrelid = format('public.%I', c.table_name)::regclass and p.proname = 'set_updated_at')
        order by 1`.execute(db);
    expect(rows).toEqual([]);
  });
});
