// IAM database auth for deployed functions: the target comes from the env infra sets, and each token is a SigV4 presigned rds-db:connect.
import { afterEach, describe, expect, it, vi } from "vitest";
import { iamConnection, iamDbTarget } from "@evently/functions/lib/db-auth";

const ENV = {
  DB_HOST: "evently-proxy.proxy-abc.us-east-1.rds.amazonaws.com",
  DB_NAME: "evently",
  DB_USER: "evently_app",
  AWS_REGION: "us-east-1",
};

afterEach(() => vi.unstubAllEnvs());

describe("iamDbTarget", () => {
  it("reads host, database, user and region, port 5432 unless DB_PORT says otherwise", () => {
    expect(iamDbTarget(ENV)).toEqual({ host: ENV.DB_HOST, port: 5432, user: "evently_app", database: "evently", region: "us-east-1" });
    expect(iamDbTarget({ ...ENV, DB_PORT: "6432" }).port).toBe(6432);
  });

  it("names every missing variable, and rejects a port that is not one", () => {
    expect(() => iamDbTarget({ DB_HOST: "h" })).toThrow("DB_NAME, DB_USER, AWS_REGION are not");
    expect(() => iamDbTarget({ ...ENV, DB_PORT: "54x" })).toThrow("DB_PORT is not a port");
  });
});

describe("iamConnection", () => {
  it("puts no password in the URL and signs a new token each time pg asks", async () => {
    const sign = vi.fn(async () => `token-${sign.mock.calls.length}`);
    const conn = iamConnection(iamDbTarget(ENV), sign);
    expect(conn.connectionString).toBe(`postgres://evently_app@${ENV.DB_HOST}:5432/evently`);
    expect(await conn.password()).toBe("token-1");
    expect(await conn.password()).toBe("token-2");
    expect(sign).toHaveBeenCalledWith(expect.objectContaining({ user: "evently_app", host: ENV.DB_HOST }));
  });

  it("by default signs with the role's credentials: a 15-minute rds-db:connect token for that user and host", async () => {
    // Static credentials, as Lambda provides them in the environment; signing never leaves the process.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    vi.stubEnv("AWS_SESSION_TOKEN", "session");
    const token = await iamConnection(iamDbTarget(ENV)).password();
    const url = new URL(`https://${token}`);
    expect(url.host).toBe(`${ENV.DB_HOST}:5432`);
    expect(url.searchParams.get("Action")).toBe("connect");
    expect(url.searchParams.get("DBUser")).toBe("evently_app");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKIDEXAMPLE\/\d{8}\/us-east-1\/rds-db\/aws4_request$/);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  });
});
