// The per-container database handle: DATABASE_URL locally, the Aurora secret + RDS Proxy in AWS.
import { createDb, type Db } from "@evently/core/db/client";
import { config } from "./config";
import { readSecretJson } from "./secrets";

let current: Promise<Db> | undefined;

/**
 * In Lambda one invocation uses the one pooled connection, so waiting for it is connecting: bounded
 * like the connect itself, so an unreachable database is a quick 503 rather than a timed-out function.
 */
const poolWaitMs = config.inLambda ? 2_000 : undefined;

async function connect(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (url) return createDb({ connectionString: url, max: config.dbPoolMax, poolWaitMs });
  if (process.env.DB_IAM_AUTH === "true") {
    const { iamConnection, iamDbTarget } = await import("./db-auth");
    return createDb({ ...iamConnection(iamDbTarget(process.env)), max: config.dbPoolMax, ssl: true, poolWaitMs });
  }
  const secretArn = process.env.DB_SECRET_ARN;
  if (!secretArn) throw new Error("DATABASE_URL or DB_SECRET_ARN must be set");
  // Only deployed functions read Secrets Manager (cached by Powertools, traced).
  const secret = (await readSecretJson(secretArn)) as {
    username: string;
    password: string;
    host: string;
    port?: number;
    dbname?: string;
  };
  const host = process.env.DB_HOST ?? secret.host;
  const database = process.env.DB_NAME ?? secret.dbname ?? "postgres";
  const connectionString = `postgres://${encodeURIComponent(secret.username)}:${encodeURIComponent(secret.password)}@${host}:${secret.port ?? 5432}/${database}`;
  return createDb({ connectionString, max: config.dbPoolMax, ssl: true, poolWaitMs });
}

/** The shared Kysely instance, created on first use and reused by every invocation. */
export function getDb(): Promise<Db> {
  current ??= connect().catch((error: unknown) => {
    current = undefined; // let the next invocation retry instead of caching the failure
    throw error;
  });
  return current;
}

/** Lets the local runtime and tests hand in the database they manage. */
export function setDb(db: Db): void {
  current = Promise.resolve(db);
}
