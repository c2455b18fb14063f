// `npm run job -- <name>`: runs one scheduled job once, by hand, against DATABASE_URL or the
// embedded database under .local/ (the one `npm start` uses, even while it is running), and prints its counts.
import "../env-defaults";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createMigrationDb, migrate } from "@evently/core/db/migrator";
import { schedules } from "@evently/functions/schedules";
import { startPostgres, type LocalPostgres } from "../postgres";
import { loadJobHandler, scheduledEvent } from "../scheduler";
import { lambdaContext } from "../server/apigw-event";

const DATA_DIR = path.resolve(".local/pg");

const name = process.argv[2];
const def = schedules.find((s) => s.name === name);
if (!def) {
  console.error(`usage: npm run job -- <${schedules.map((s) => s.name).join("|")}>`);
  process.exit(2);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, just not ours
  }
};

/**
 * A running `npm start` owns the cluster; a second postmaster on the same data folder would refuse
 * to start. postmaster.pid names its pid (line 1) and port (line 4): connect to that one instead.
 */
async function runningCluster(): Promise<string | undefined> {
  const lines = await readFile(path.join(DATA_DIR, "postmaster.pid"), "utf8").then(
    (t) => t.split("\n"),
    () => undefined,
  );
  const pid = Number(lines?.[0]);
  const port = Number(lines?.[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || !alive(pid)) return undefined;
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}

let embedded: LocalPostgres | undefined;
let databaseUrl = process.env.DATABASE_URL ?? (await runningCluster());
if (!databaseUrl) {
  embedded = await startPostgres(DATA_DIR, { port: Number(process.env.PGPORT) || undefined });
  databaseUrl = embedded.adminUrl;
  // Our own start of the cluster: bring the schema up to date as `npm start` would.
  const migrationDb = createMigrationDb(databaseUrl);
  await migrate(migrationDb, "latest").finally(() => migrationDb.destroy());
}
process.env.DATABASE_URL = databaseUrl;
// The sandbox of a running `npm start`; with none, intent cancels fail and are skipped as on any provider error.
if (!process.env.STRIPE_SECRET_KEY) process.env.STRIPE_API_BASE ??= `http://127.0.0.1:${process.env.STRIPE_SANDBOX_PORT ?? 12111}`;

let exitCode = 0;
try {
  const handler = await loadJobHandler(def);
  const result = await handler(scheduledEvent(def), lambdaContext(`job-${def.name}`, def.timeoutSeconds));
  console.log(`${def.name} ${result.status} in ${result.durationMs} ms (run ${result.runId})`);
  for (const [key, value] of Object.entries(result.counts)) console.log(`  ${key}: ${JSON.stringify(value)}`);
} catch (error) {
  console.error(`${def.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  const { getDb } = await import("@evently/functions/lib/db");
  await getDb().then(
    (db) => db.destroy(),
    () => undefined,
  );
  await embedded?.stop();
}
process.exit(exitCode);
