// The deploy-time migration handler: secret → TLS connection string to the proxy, wait for the proxy, migrate, always disconnect.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const getSecret = vi.hoisted(() => vi.fn());
const migrate = vi.hoisted(() => vi.fn());
const createMigrationDb = vi.hoisted(() => vi.fn());
vi.mock("@aws-lambda-powertools/parameters/secrets", () => ({ getSecret }));
vi.mock("@evently/core/db/migrator", () => ({ migrate, createMigrationDb }));

const { connectionString, handler, waitForDatabase } = await import("../../packages/functions/src/ops/migrate");

/** A Kysely stand-in: `select 1` fails `failures` times, then answers. */
function fakeDb(failures: number) {
  const execute = vi.fn(async () => {
    if (failures-- > 0) throw new Error("connect ECONNREFUSED");
    return [{ ok: 1 }];
  });
  return { selectNoFrom: vi.fn(() => ({ execute })), destroy: vi.fn(async () => undefined), execute };
}

const SECRET = { username: "evently_admin", password: "p@ss:w/rd", host: "cluster.example", port: 5432, dbname: "postgres" };

describe("connectionString", () => {
  it("targets DB_HOST/DB_NAME over the secret's, encodes credentials and verifies TLS", () => {
    const url = connectionString(SECRET, { DB_HOST: "proxy.example", DB_NAME: "evently" });
    expect(url).toBe("postgres://evently_admin:p%40ss%3Aw%2Frd@proxy.example:5432/evently?sslmode=verify-full");
    expect(new URL(url).password).toBe(encodeURIComponent(SECRET.password));
  });

  it("falls back to the secret's host and database, and fails without any host", () => {
    expect(connectionString(SECRET, {})).toContain("@cluster.example:5432/postgres?");
    expect(() => connectionString({ username: "u", password: "p" }, {})).toThrow(/DB_HOST/);
  });
});

describe("waitForDatabase", () => {
  it("retries until the proxy answers", async () => {
    const db = fakeDb(2);
    const sleep = vi.fn(async (_ms: number) => undefined);
    await waitForDatabase(db as never, Date.now() + 60_000, sleep);
    expect(db.execute).toHaveBeenCalledTimes(3);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([2000, 4000]);
  });

  it("gives up with the last error once the deadline would pass", async () => {
    const db = fakeDb(Infinity);
    await expect(waitForDatabase(db as never, Date.now() + 5_000, async () => undefined)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("handler", () => {
  const context = { getRemainingTimeInMillis: () => 600_000 };
  beforeEach(() => {
    vi.stubEnv("DB_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db");
    vi.stubEnv("DB_HOST", "proxy.example");
    vi.stubEnv("DB_NAME", "evently");
    getSecret.mockResolvedValue(SECRET);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.clearAllMocks();
  });

  it("reads the secret uncached, migrates to latest over TLS and reports what it applied", async () => {
    const db = fakeDb(0);
    createMigrationDb.mockReturnValue(db);
    migrate.mockResolvedValue({ results: [{ migrationName: "0001_users", direction: "Up", status: "Success" }] });
    await expect(handler({}, context)).resolves.toEqual({ applied: ["0001_users"] });
    expect(getSecret).toHaveBeenCalledWith(process.env.DB_SECRET_ARN, { transform: "json", maxAge: 0 });
    expect(createMigrationDb).toHaveBeenCalledWith(expect.stringMatching(/@proxy\.example:5432\/evently\?sslmode=verify-full$/));
    expect(migrate).toHaveBeenCalledWith(db, "latest");
    expect(db.destroy).toHaveBeenCalledOnce();
  });

  it("fails the deploy when a migration fails, and still disconnects", async () => {
    const db = fakeDb(0);
    createMigrationDb.mockReturnValue(db);
    migrate.mockRejectedValue(new Error("relation already exists"));
    await expect(handler({}, context)).rejects.toThrow(/already exists/);
    expect(db.destroy).toHaveBeenCalledOnce();
  });

  it("refuses to run without DB_SECRET_ARN or with a secret that is not Aurora credentials", async () => {
    vi.stubEnv("DB_SECRET_ARN", "");
    await expect(handler({}, context)).rejects.toThrow(/DB_SECRET_ARN/);
    vi.stubEnv("DB_SECRET_ARN", "arn:x");
    getSecret.mockResolvedValue({ apiKey: "nope" });
    await expect(handler({}, context)).rejects.toThrow(/not an Aurora credentials JSON/);
    expect(createMigrationDb).not.toHaveBeenCalled();
  });
});
