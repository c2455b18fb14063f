// One embedded PostgreSQL 16 per bench run (the local runtime's own starter, in a temporary folder),
// a migrated template database, and a fresh database cloned from it for each stage.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { createMigrationDb, migrate } from "@evently/core/db/migrator";
import { startPostgres } from "@evently/local/postgres";

const TEMPLATE = "bench_template";

export interface BenchPostgres {
  adminUrl: string;
  version: string;
  urlFor(database: string): string;
  /** A new database with the product's schema (cloned from the migrated template). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchPostgres(log: (line: string) => void): Promise<BenchPostgres> {
  const root = await mkdtemp(path.join(tmpdir(), "evently-bench-pg-"));
  await chmod(root, 0o755);
  const started = performance.now();
  const postgres = await startPostgres(path.join(root, "data"), { persistent: false });
  const admin = new pg.Client(postgres.adminUrl);
  await admin.connect();
  // Reloadable settings only (shared_buffers would need a restart): fewer checkpoints while seeding.
  await admin.query("ALTER SYSTEM SET max_wal_size = '4GB'");
  await admin.query("ALTER SYSTEM SET checkpoint_timeout = '30min'");
  await admin.query("SELECT pg_reload_conf()");
  const version = ((await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? "?").trim();
  await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  const migrationDb = createMigrationDb(postgres.urlFor(TEMPLATE));
  await migrate(migrationDb, "latest");
  await migrationDb.destroy();
  log(`PostgreSQL ${version} up and migrated in ${Math.round(performance.now() - started)} ms`);

  return {
    adminUrl: postgres.adminUrl,
    version,
    urlFor: postgres.urlFor,
    async createDatabase(name) {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
      return postgres.urlFor(name);
    },
    async stop() {
      await admin.end().catch(() => undefined);
      await postgres.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
