// Deploy-time migration runner: the SST Script in infra/migrations.ts invokes it to bring Aurora to the latest schema.
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { createMigrationDb, migrate } from "@evently/core/db/migrator";
import { SERVICE_NAME } from "../lib/metric-names";
import { redactLogValue } from "../lib/redact";

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME, jsonReplacerFn: redactLogValue });

/** The JSON Aurora's generated secret holds (rds.Credentials.fromGeneratedSecret). */
export interface DbSecret {
  username: string;
  password: string;
  host?: string;
  port?: number;
  dbname?: string;
}

export interface MigrateResult {
  applied: string[];
}

/**
 * `verify-full`: the RDS Proxy presents an ACM certificate that Node's bundled CAs trust, so the
 * hostname and chain are checked without shipping the RDS CA bundle. pg treats `require` as an
 * alias of this anyway and warns; saying it outright keeps the logs clean.
 */
export function connectionString(secret: DbSecret, env: { DB_HOST?: string; DB_NAME?: string }): string {
  const host = env.DB_HOST || secret.host;
  if (!host) throw new Error("DB_HOST is not set and the secret has no host");
  const database = env.DB_NAME || secret.dbname || "postgres";
  const user = encodeURIComponent(secret.username);
  const password = encodeURIComponent(secret.password);
  return `postgres://${user}:${password}@${host}:${secret.port ?? 5432}/${encodeURIComponent(database)}?sslmode=verify-full`;
}

async function readSecret(arn: string): Promise<DbSecret> {
  // maxAge 0: a deploy right after a credential rotation must not use a cached password.
  const secret = await getSecret<DbSecret>(arn, { transform: "json", maxAge: 0 });
  if (!secret || typeof secret.username !== "string" || typeof secret.password !== "string") {
    throw new Error(`Secret ${arn} is not an Aurora credentials JSON`);
  }
  return secret;
}

type MigrationDb = ReturnType<typeof createMigrationDb>;

/**
 * On the first deploy the RDS Proxy reports "created" before its target is available, and
 * connections fail for a few minutes; wait for a trivial query instead of failing the deploy.
 */
export async function waitForDatabase(
  db: MigrationDb,
  deadline: number,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.selectNoFrom((eb) => eb.lit(1).as("ok")).execute();
      return;
    } catch (error) {
      const delay = Math.min(1000 * 2 ** attempt, 30_000);
      if (Date.now() + delay > deadline) throw error;
      logger.warn("database not reachable yet", { attempt, error: String(error) });
      await sleep(delay);
    }
  }
}

/** Invoked by SST's Script custom resource on create and update; throwing fails the deploy. */
export const handler = async (_event: unknown, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<MigrateResult> => {
  const arn = process.env.DB_SECRET_ARN;
  if (!arn) throw new Error("DB_SECRET_ARN is not set");
  const url = connectionString(await readSecret(arn), process.env);
  const db = createMigrationDb(url);
  try {
    // Leave two minutes of the invocation for the migrations themselves.
    const remaining = context?.getRemainingTimeInMillis() ?? 300_000;
    await waitForDatabase(db, Date.now() + Math.max(remaining - 120_000, 0));
    const { results = [] } = await migrate(db, "latest");
    for (const r of results) logger.info("migration", { migration: r.migrationName, direction: r.direction, status: r.status });
    const applied = results.filter((r) => r.status === "Success").map((r) => r.migrationName);
    logger.info(applied.length ? "migrated" : "schema already at latest", { applied });
    return { applied };
  } catch (error) {
    logger.error("migration failed", error as Error);
    throw error;
  } finally {
    await db.destroy();
  }
};
