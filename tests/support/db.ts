// A fresh database per test file, cloned from the migrated template: tests never share state.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDb, type Db } from "@evently/core/db/client";

export interface TestDatabase {
  name: string;
  url: string;
  db: Db;
  destroy(): Promise<void>;
}

function urlWithDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Clones the template into a new database (optionally from another template, e.g. empty). */
export async function createTestDatabase(options: { template?: string; poolSize?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${options.template ?? inject("templateDatabase")}`);
  } finally {
    await admin.end();
  }
  const url = urlWithDatabase(adminUrl, name);
  const db = createDb({ connectionString: url, max: options.poolSize ?? 20 });
  return { name, url, db, destroy: () => db.destroy() };
}

/** The maintenance connection, for tests that create or drop databases themselves. */
export const adminUrl = (): string => inject("pgAdminUrl");
export { urlWithDatabase };
