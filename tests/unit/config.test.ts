// Configuration fails fast: a deployed function missing a value it needs, or given a malformed one,
// does not start (its module throws at import, as a Lambda cold start would) and logs exactly one
// line naming the variable; nothing falls back to the development defaults of packages/local.
import { SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureLogs } from "../support/log-capture";

const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:evently/prod/${name}-AbCdEf`;

/** Everything any deployed function may be given, all well-formed. */
const LAMBDA_ENV: Record<string, string> = {
  AWS_LAMBDA_FUNCTION_NAME: "evently-prod-fn",
  POWERTOOLS_LOG_LEVEL: "INFO",
  DB_IAM_AUTH: "true",
  DB_HOST: "evently-proxy.proxy-abc.eu-west-1.rds.amazonaws.com",
  DB_NAME: "evently",
  DB_USER: "evently_app",
  STRIPE_SECRET_ARN: arn("stripe-secret-key"),
  STRIPE_WEBHOOK_SECRET_ARN: arn("stripe-webhook-secret"),
  DATA_KEY_SECRET_ARN: arn("data-key"),
  BLIND_INDEX_KEY_SECRET_ARN: arn("blind-index-key"),
  WEBHOOK_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/evently-webhooks",
  PROVIDER_TASK_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/evently-provider-tasks",
  MAIL_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/evently-mail",
  TICKET_KEY_SECRET_ARN: arn("ticket-signing-keys"),
  COGNITO_ISSUER: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf",
  COGNITO_CLIENT_ID: "4ab5cd6ef7gh8ij9kl0mn1op2q",
  HOLD_TTL_SECONDS: "900",
};

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  vi.resetModules();
});

/** Imports `module` fresh, as a cold start with `env` (plus the test defaults) would. */
async function coldStart(module: string, env: Record<string, string | undefined>) {
  process.env = { ...saved, ...env };
  vi.resetModules();
  const logs = captureLogs();
  try {
    const outcome = await import(`@evently/functions/${module}`).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    return { error: outcome, lines: logs.lines() };
  } finally {
    logs.restore();
  }
}

const without = (name: string) => ({ ...LAMBDA_ENV, [name]: undefined });

describe("a deployed function stops at start without a value it needs", () => {
  it.each([
    ["DB_USER", "http/events/list"],
    ["DB_HOST", "http/events/list"],
    ["STRIPE_SECRET_ARN", "http/orders/create"],
    ["DATA_KEY_SECRET_ARN", "http/payments/get"],
    ["BLIND_INDEX_KEY_SECRET_ARN", "http/payments/get"],
    ["STRIPE_WEBHOOK_SECRET_ARN", "http/webhooks/stripe"],
    ["WEBHOOK_QUEUE_URL", "http/webhooks/stripe"],
    ["COGNITO_ISSUER", "http/events/get"],
    ["COGNITO_CLIENT_ID", "http/events/get"],
    ["DB_IAM_AUTH", "jobs/expire-holds"],
    ["PROVIDER_TASK_QUEUE_URL", "http/orders/create"],
    ["DATA_KEY_SECRET_ARN", "queue/webhook-processor"],
  ])(
    "%s (%s)",
    async (name, module) => {
      const { error, lines } = await coldStart(module, without(name));
      expect(error?.message).toBe(`Invalid configuration: ${name} is not set; this function cannot start without it`);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: "ERROR", message: error?.message, variable: name });
    },
    30_000,
  );

  it("an empty value counts as missing", async () => {
    const { error } = await coldStart("http/orders/create", { ...LAMBDA_ENV, STRIPE_SECRET_ARN: "" });
    expect(error?.message).toMatch(/STRIPE_SECRET_ARN is not set/);
  }, 30_000);

  it("starts with everything it needs, and logs nothing", async () => {
    for (const module of [
      "http/orders/create",
      "http/events/get",
      "http/webhooks/stripe",
      "queue/webhook-processor",
      "jobs/expire-holds",
    ]) {
      expect(await coldStart(module, LAMBDA_ENV)).toEqual({ error: undefined, lines: [] });
    }
  }, 60_000);

  it("needs only what its manifest entry declares (a public route without secrets)", async () => {
    const publicOnly = { AWS_LAMBDA_FUNCTION_NAME: "evently-prod-openapi", POWERTOOLS_LOG_LEVEL: "INFO" };
    expect(await coldStart("http/openapi", publicOnly)).toEqual({ error: undefined, lines: [] });
  }, 30_000);
});

describe("a malformed value stops any function at start, naming the variable but not the value", () => {
  it.each([
    ["HOLD_TTL_SECONDS", "15m", "must be a positive integer"],
    ["DB_POOL_MAX", "-4", "must be a positive integer"],
    ["COGNITO_ISSUER", "http://cognito-idp.eu-west-1.amazonaws.com/pool", "must be an https URL"],
    ["WEBHOOK_QUEUE_URL", "evently-webhooks", "must be an https URL"],
    ["STRIPE_SECRET_ARN", "sk_live_51Hsecretvalue", "must be a Secrets Manager secret ARN"],
    ["CORS_ORIGINS", "https://app.example.com/path", "must be * or a comma-separated list of origins"],
  ])(
    "%s=%s",
    async (name, value, problem) => {
      const { error, lines } = await coldStart("http/orders/create", { ...LAMBDA_ENV, [name]: value });
      expect(error?.message).toBe(`Invalid configuration: ${name} ${problem}`);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
      expect(lines[0]).not.toContain(value);
    },
    30_000,
  );

  it("also outside Lambda", async () => {
    const { error } = await coldStart("http/health", { AWS_LAMBDA_FUNCTION_NAME: undefined, HOLD_TTL_SECONDS: "-5" });
    expect(error?.message).toBe("Invalid configuration: HOLD_TTL_SECONDS must be a positive integer");
  }, 30_000);
});

describe("no path from Lambda to a development default", () => {
  it("a secret without its ARN is refused even when the local variable is set", async () => {
    process.env = { ...saved, AWS_LAMBDA_FUNCTION_NAME: "evently-prod-fn", DATA_KEY: "v1:bG9jYWwtZGV2LWRhdGEta2V5LW5vdC1hLXNlY3JldCE=" };
    vi.resetModules();
    const { getSecretValue } = await import("@evently/functions/lib/secrets");
    await expect(getSecretValue("data-key")).rejects.toThrow("Invalid configuration: DATA_KEY_SECRET_ARN is not set");
  });

  it("a token signed with the local secret is never verified in Lambda", async () => {
    process.env = { ...saved, AWS_LAMBDA_FUNCTION_NAME: "evently-prod-fn", COGNITO_ISSUER: undefined };
    vi.resetModules();
    const { verifyBearer } = await import("@evently/functions/lib/auth");
    const secret = new TextEncoder().encode(process.env.LOCAL_JWT_SECRET);
    const token = await new SignJWT({ "cognito:groups": ["admin"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("intruder")
      .setExpirationTime("1h")
      .sign(secret);
    await expect(verifyBearer(token)).rejects.toThrow("Invalid configuration: COGNITO_ISSUER is not set");
  });

  it("locally, the development values come from packages/local", async () => {
    const { LOCAL_DEFAULTS } = await import("@evently/local/env-defaults");
    process.env = { ...saved, AWS_LAMBDA_FUNCTION_NAME: undefined, DATA_KEY: undefined, BLIND_INDEX_KEY: undefined };
    vi.resetModules();
    const { applyLocalDefaults } = await import("@evently/local/env-defaults");
    applyLocalDefaults();
    const { getSecretValue } = await import("@evently/functions/lib/secrets");
    expect(await getSecretValue("blind-index-key")).toBe(LOCAL_DEFAULTS.BLIND_INDEX_KEY);
  });
});
