// The application's database role: data (DML) rights only, so a compromised function cannot change
// the schema; the migrator keeps ownership of every object and stays the only one that can.
import { sql, type Kysely } from "kysely";

export const APP_ROLE = "evently_app";

/** The migrator's own bookkeeping: the app has no business reading or moving it. */
const MIGRATOR_TABLES = sql`kysely_migration, kysely_migration_lock`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Roles are cluster-wide and may already exist for another database of the same cluster.
  // NOLOGIN: locally nobody signs in as it. In Aurora the functions sign in through RDS Proxy with
  // IAM tokens (end-to-end IAM), which needs LOGIN plus membership of Aurora's `rds_iam` role;
  // that membership also disables password sign-in for the role.
  await sql`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'evently_app') THEN
        CREATE ROLE evently_app NOLOGIN;
      END IF;
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN
        ALTER ROLE evently_app LOGIN;
        GRANT rds_iam TO evently_app;
      END IF;
    END
    $$`.execute(db);

  await sql`GRANT CONNECT ON DATABASE ${sql.id(await currentDatabase(db))} TO evently_app`.execute(db);
  await sql`GRANT USAGE ON SCHEMA public TO evently_app`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO evently_app`.execute(db);
  await sql`REVOKE ALL ON ${MIGRATOR_TABLES} FROM evently_app`.execute(db);
  // USAGE is what nextval() (serial and identity columns) needs; SELECT would also expose currval/setval reads.
  await sql`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO evently_app`.execute(db);
  // Tables and sequences later migrations create (as this same owner) are granted the same way.
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO evently_app`.execute(db);
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO evently_app`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE ON SEQUENCES FROM evently_app`.execute(db);
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM evently_app`.execute(db);
  await sql`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM evently_app`.execute(db);
  await sql`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM evently_app`.execute(db);
  await sql`REVOKE USAGE ON SCHEMA public FROM evently_app`.execute(db);
  await sql`REVOKE CONNECT ON DATABASE ${sql.id(await currentDatabase(db))} FROM evently_app`.execute(db);
  // Another database of the cluster may still grant it rights; then the role stays for that one.
  await sql`
    DO $$
    BEGIN
      DROP ROLE IF EXISTS evently_app;
    EXCEPTION WHEN dependent_objects_still_exist THEN
      NULL;
    END
    $$`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function currentDatabase(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(db);
  return rows[0]!.name;
}
