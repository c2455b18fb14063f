// Runs the Kysely migrations in migrations/ (statically imported so bundles carry them too).
import { Kysely, Migrator, NO_MIGRATIONS, PostgresDialect, type MigrationResultSet } from "kysely";
import pg from "pg";
import { migrations } from "../../../../migrations";

export type MigrationDirection = "latest" | "up" | "down" | "zero";

// Migrations work on the raw schema, so they get a Kysely without the camelCase plugin's typing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrate(db: Kysely<any>, direction: MigrationDirection = "latest"): Promise<MigrationResultSet> {
  const migrator = createMigrator(db);
  const result =
    direction === "latest"
      ? await migrator.migrateToLatest()
      : direction === "up"
        ? await migrator.migrateUp()
        : direction === "down"
          ? await migrator.migrateDown()
          : await migrator.migrateTo(NO_MIGRATIONS);
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return result;
}

/** A plain Kysely (no camelCase plugin) for schema work: migrations speak snake_case SQL. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createMigrationDb(connectionString: string): Kysely<any> {
  return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 1 }) }) });
}
