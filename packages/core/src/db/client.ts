// Creates the Kysely instance over a pg Pool: camelCase in TypeScript, snake_case in SQL.
import { CamelCasePlugin, Kysely, PostgresDialect } from "kysely";
import type pg from "pg";
import type { Database } from "./database";

export interface DbOptions {
  connectionString: string;
  /** Pool size: 1 inside Lambda (one request per container), more for the local server. */
  max?: number;
  ssl?: boolean;
  /**
   * How long a query may wait for a pooled connection, a free slot or a new one (default 10 s).
   * A burst on a busy pool queues this long; a dead server fails within `connectTimeoutMs`.
   */
  poolWaitMs?: number;
  /** How long opening one connection may take (default 2 s). */
  connectTimeoutMs?: number;
  /**
   * Session defaults for work outside a budgeted transaction (useTransaction sets tighter ones
   * from the invocation's deadline): no statement runs, and no lock is awaited, forever.
   */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  /** Asked on every new connection (RDS Proxy IAM tokens expire); overrides the URL's password. */
  password?: () => Promise<string>;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/**
 * A transaction left open this long is ended by the server: a Lambda frozen or killed mid-transaction
 * must not hold its row locks until the connection is reaped.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

const BIGINT_OID = 20;
const NUMERIC_OID = 1700;

/** Money is bigint minor units well inside 2^53; percents are numeric(5,2): both read as numbers. */
const typesOf = (driver: typeof pg) =>
  ({
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === BIGINT_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
      return driver.types.getTypeParser(oid, format);
    },
  }) as pg.CustomTypesConfig;

export type Db = Kysely<Database>;

/** pg-pool uses one setting for the pool wait and the connect; each client gets its own, shorter, one. */
function clientWithConnectTimeout(driver: typeof pg, connectTimeoutMs: number): typeof pg.Client {
  return class extends driver.Client {
    constructor(config?: string | pg.ClientConfig) {
      const base = typeof config === "string" ? { connectionString: config } : config;
      // pg-pool hides `password` (non-enumerable, to keep it out of stack traces): a spread would drop it.
      super({ ...base, ...(base?.password !== undefined ? { password: base.password } : {}), connectionTimeoutMillis: connectTimeoutMs });
    }
  };
}

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

/**
 * pg (with Node's net, tls and crypto under it) is loaded by the first query, not by importing this
 * module: a function's cold start then only pays for it on a path that reaches the database.
 */
export function createDb(options: DbOptions): Db {
  const pool = async () => {
    const { default: driver } = await import("pg");
    const created = new driver.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: options.poolWaitMs ?? 10_000,
      Client: clientWithConnectTimeout(driver, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      lock_timeout: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
      types: typesOf(driver),
      ...(options.password ? withPasswordCallback(options.connectionString, options.password) : {}),
      ...(options.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    created.on("error", () => undefined);
    // Nor a checked-out one (the pool listens only while a client is idle): its query already
    // rejects with the error, which is where callers see it (failover, pg_terminate_backend).
    created.on("connect", (client) => client.on("error", () => undefined));
    return created;
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
}
