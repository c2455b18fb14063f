// `npm run migrate -- latest|up|down|zero`: runs Kysely's migrator against DATABASE_URL or the
// embedded database under .local/.
import path from "node:path";
import { createMigrationDb, migrate, type MigrationDirection } from "@evently/core/db/migrator";
import { startPostgres } from "../postgres";

const direction = (process.argv[2] ?? "latest") as MigrationDirection;
if (!["latest", "up", "down", "zero"].includes(direction)) {
  console.error("usage: npm run migrate -- latest|up|down|zero");
  process.exit(2);
}
const embedded = process.env.DATABASE_URL ? undefined : await startPostgres(path.resolve(".local/pg"));
const db = createMigrationDb(process.env.DATABASE_URL ?? embedded!.adminUrl);
try {
  const { results } = await migrate(db, direction);
  for (const r of results ?? []) console.log(`${r.status === "Success" ? "✓" : "✗"} ${r.direction} ${r.migrationName}`);
  if (!results?.length) console.log("nothing to do");
} finally {
  await db.destroy();
  await embedded?.stop();
}
