// Starts one embedded PostgreSQL for the whole run and migrates a template database once;
// each test file clones its own database from the template (tests/support/db.ts).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { createMigrationDb, migrate } from "@evently/core/db/migrator";
import { startPostgres } from "@evently/local/postgres";

export const TEMPLATE_DB = "evently_template";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  const root = await mkdtemp(path.join(tmpdir(), "evently-test-"));
  await chmod(root, 0o755);
  const postgres = await startPostgres(path.join(root, "data"), { persistent: false });

  const admin = new pg.Client(postgres.adminUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const db = createMigrationDb(postgres.urlFor(TEMPLATE_DB));
  await migrate(db, "latest");
  await db.destroy();

  project.provide("pgAdminUrl", postgres.adminUrl);
  project.provide("templateDatabase", TEMPLATE_DB);

  return async () => {
    await postgres.stop();
    await rm(root, { recursive: true, force: true });
  };
}
