// The per-container database handle: DATABASE_URL locally, the Aurora secret + RDS Proxy in AWS.
import { createDb, type Db } from "@evently/core/db/client";
import { config } from "./config";

let current: Promise<Db> | undefined;

async function connect(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (url) return createDb({ connectionString: url, max: config.dbPoolMax });
  if (process.env.DB_IAM_AUTH === "true") {
    const { iamConnection, iamDbTarget } = await import("./db-auth");
    return createDb({ ...iamConnection(iamDbTarget(process.env)), max: config.dbPoolMax, ssl: true });
  }
  const secretArn = process.env.DB_SECRET_ARN;
  if (!secretArn) throw new Error("DATABASE_URL or DB_SECRET_ARN must be set");
  // Loaded lazily: only deployed functions read Secrets Manager (cached by Powertools).
  const { getSecret } = await import("@aws-lambda-powertools/parameters/secrets");
  const secret = (await getSecret(secretArn, { transform: "json", maxAge: 300 })) as {
    username: string;
    password: string;
    host: string;
    port?: number;
    dbname?: string;
  };
  const host = process.env.DB_HOST ?? secret.host;
  const database = process.env.DB_NAME ?? secret.dbname ?? "postgres";
  const connectionString = `postgres://${encodeURIComponent(secret.username)}:${encodeURIComponent(secret.password)}@${host}:${secret.port ?? 5432}/${database}`;
  return createDb({ connectionString, max: config.dbPoolMax, ssl: true });
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
