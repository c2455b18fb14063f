// Composes the local runtime: database, migrations, API (and, as they land, queue, scheduler,
// Stripe sandbox). `npm start` and the e2e tests both start the product through here.
import path from "node:path";
import { createDb, type Db } from "@evently/core/db/client";
import { createMigrationDb, migrate } from "@evently/core/db/migrator";
import { setDb } from "@evently/functions/lib/db";
import { routes } from "@evently/functions/routes";
import { startPostgres, type LocalPostgres } from "./postgres";
import { startApiServer, type ApiServer } from "./server/http-server";

export interface RuntimeOptions {
  /** Use this database instead of starting the embedded one. */
  databaseUrl?: string;
  /** Embedded Postgres data folder (default `.local/pg`). */
  dataDir?: string;
  port?: number;
  log?: (line: string) => void;
}

export interface LocalRuntime {
  apiUrl: string;
  databaseUrl: string;
  db: Db;
  stop(): Promise<void>;
}

export async function startLocalRuntime(options: RuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((e: unknown) => console.error(e));
  };
  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const pg: LocalPostgres = await startPostgres(options.dataDir ?? path.resolve(".local/pg"), { port: Number(process.env.PGPORT) || undefined });
      stops.push(() => pg.stop());
      databaseUrl = pg.adminUrl;
      log(`PostgreSQL ${databaseUrl.replace(/:[^:@/]+@/, ":***@")}`);
    }
    process.env.DATABASE_URL = databaseUrl;

    const migrationDb = createMigrationDb(databaseUrl);
    const { results } = await migrate(migrationDb, "latest").finally(() => migrationDb.destroy());
    log(`Migrations ${results?.length ? `applied ${results.map((r) => r.migrationName).join(", ")}` : "up to date"}`);

    const db = createDb({ connectionString: databaseUrl, max: Number(process.env.DB_POOL_MAX) || 20 });
    stops.push(() => db.destroy());
    setDb(db);

    const api: ApiServer = await startApiServer({ routes, port: options.port });
    stops.push(() => api.close());
    log(`API ${api.url}`);

    return { apiUrl: api.url, databaseUrl, db, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
