// Creates the Kysely instance over a pg Pool: camelCase in TypeScript, snake_case in SQL.
import { CamelCasePlugin, Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "./database";

export interface DbOptions {
  connectionString: string;
  /** Pool size: 1 inside Lambda (one request per container), more for the local server. */
  max?: number;
  ssl?: boolean;
  /** How long a query may wait for a free pooled connection before failing (default 10 s). */
  connectionTimeoutMs?: number;
  /** Asked on every new connection (RDS Proxy IAM tokens expire); overrides the URL's password. */
  password?: () => Promise<string>;
}

const BIGINT_OID = 20;
const NUMERIC_OID = 1700;

/** Money is bigint minor units well inside 2^53; percents are numeric(5,2): both read as numbers. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === BIGINT_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export type Db = Kysely<Database>;

/** pg lets a URL's (empty) password win over a password callback, so the URL becomes fields. */
function withPasswordCallback(connectionString: string, password: () => Promise<string>): pg.PoolConfig {
  const url = new URL(connectionString);
  return {
    connectionString: undefined,
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.slice(1)),
    password,
  };
}

export function createDb(options: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    types,
    ...(options.password ? withPasswordCallback(options.connectionString, options.password) : {}),
    ...(options.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  // Nor a checked-out one (the pool listens only while a client is idle): its query already
  // rejects with the error, which is where callers see it (failover, pg_terminate_backend).
  pool.on("connect", (client) => client.on("error", () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
}
