// Runtime configuration: every environment variable the functions read, parsed once per container
// with zod. A malformed value stops the function at start; in Lambda so does a missing secret ARN,
// queue URL or issuer the function needs (assertConfigured). Development defaults live only in
// packages/local (env-defaults.ts): nothing here falls back to a published secret.
import * as z from "zod";
import type { Access, Resource } from "../manifest";
import { logger } from "./observability";

/** An unset variable and an empty one mean the same: not configured. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

const positiveInt = z
  .string()
  .regex(/^\d+$/, "must be a positive integer")
  .transform(Number)
  .refine((n) => n > 0 && Number.isSafeInteger(n), "must be a positive integer");
const url = (protocols: RegExp, what: string) => z.url({ protocol: protocols, error: `must be an ${what} URL` });
const secretArn = z
  .string()
  .regex(/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+$/, "must be a Secrets Manager secret ARN");
/** `*` or a comma-separated list of origins (scheme://host[:port], no path). */
const origins = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .refine(
    (list) => list.length > 0 && list.every((o) => o === "*" || /^https?:\/\/[^/\s]+$/.test(o)),
    "must be * or a comma-separated list of origins",
  );

const Env = z.object({
  AWS_LAMBDA_FUNCTION_NAME: optional(z.string()),
  DB_POOL_MAX: optional(positiveInt),
  HOLD_TTL_SECONDS: optional(positiveInt),
  COGNITO_ISSUER: optional(url(/^https$/, "https")),
  COGNITO_CLIENT_ID: optional(z.string().regex(/^[\w-]+$/, "must be an app client id")),
  LOCAL_JWT_SECRET: optional(z.string().min(8, "must be at least 8 characters")),
  CORS_ORIGINS: optional(origins),
  DATABASE_URL: optional(url(/^postgres(ql)?$/, "postgres://")),
  DB_SECRET_ARN: optional(secretArn),
  DB_HOST: optional(z.string().regex(/^[\w.-]+$/, "must be a host name")),
  DB_NAME: optional(z.string().regex(/^\w+$/, "must be a database name")),
  DB_IAM_AUTH: optional(z.enum(["true", "false"], { error: "must be true or false" })),
  DB_USER: optional(z.string().regex(/^\w+$/, "must be a database user name")),
  DB_PORT: optional(positiveInt),
  STRIPE_SECRET_ARN: optional(secretArn),
  STRIPE_WEBHOOK_SECRET_ARN: optional(secretArn),
  DATA_KEY_SECRET_ARN: optional(secretArn),
  BLIND_INDEX_KEY_SECRET_ARN: optional(secretArn),
  TICKET_KEY_SECRET_ARN: optional(secretArn),
  WEBHOOK_QUEUE_URL: optional(url(/^https$/, "https")),
  PROVIDER_TASK_QUEUE_URL: optional(url(/^https$/, "https")),
  MAIL_QUEUE_URL: optional(url(/^https$/, "https")),
  STRIPE_API_BASE: optional(url(/^https?$/, "http(s)")),
});
export type Env = z.infer<typeof Env>;
export type EnvName = keyof Env;

/** A configuration fault, naming the one variable to fix. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

/** Parses the environment; the first bad variable throws a ConfigError naming it. */
export function parseEnv(env: Record<string, string | undefined>): Env {
  const parsed = Env.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(String(issue.path[0]), issue.message);
}

/**
 * What a deployed function must be given for each resource it uses: the contract infra/access.ts
 * fulfils (its tests can compare against this table).
 */
export const ENV_FOR_RESOURCE: Record<Resource, readonly EnvName[]> = {
  // Through RDS Proxy with IAM tokens as the DML-only app role; only the migrator reads the master secret.
  db: ["DB_IAM_AUTH", "DB_HOST", "DB_NAME", "DB_USER"],
  "stripe-key": ["STRIPE_SECRET_ARN"],
  "webhook-secret": ["STRIPE_WEBHOOK_SECRET_ARN"],
  "data-key": ["DATA_KEY_SECRET_ARN", "BLIND_INDEX_KEY_SECRET_ARN"],
  "webhook-queue": ["WEBHOOK_QUEUE_URL"],
  "task-queue": ["PROVIDER_TASK_QUEUE_URL"],
  "mail-queue": ["MAIL_QUEUE_URL"],
  "ticket-key": ["TICKET_KEY_SECRET_ARN"],
  metrics: [],
};

export interface Needs {
  resources: readonly Resource[];
  /** `optional` routes verify their own tokens against Cognito. */
  access?: Access;
}

/** The variables a function with these needs lacks, in Lambda; locally packages/local supplies them. */
export function missingIn(env: Env, needs: Needs): EnvName[] {
  if (!env.AWS_LAMBDA_FUNCTION_NAME) return [];
  const wanted = new Set(needs.resources.flatMap((r) => ENV_FOR_RESOURCE[r]));
  if (needs.access === "optional") ["COGNITO_ISSUER", "COGNITO_CLIENT_ID"].forEach((n) => wanted.add(n as EnvName));
  return [...wanted].filter((name) => env[name] === undefined);
}

/** Logs the one line an operator needs, then throws: Lambda reports the failed start. */
function stop(error: ConfigError): never {
  logger.error(error.message, { variable: error.variable });
  throw error;
}

function load(): Env {
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) stop(error);
    throw error;
  }
}

const env = load();
const inLambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);

/** Called by each handler stack at module load (cold start) with what its manifest entry declares. */
export function assertConfigured(needs: Needs): void {
  const [missing] = missingIn(env, needs);
  if (missing) stop(new ConfigError(missing, "is not set; this function cannot start without it"));
}

export const config = {
  inLambda,
  /** One request at a time per Lambda container, so one connection; more for the local server. */
  dbPoolMax: env.DB_POOL_MAX ?? (inLambda ? 1 : 20),
  holdTtlSeconds: env.HOLD_TTL_SECONDS ?? 900,
  cognito: env.COGNITO_ISSUER ? { issuer: env.COGNITO_ISSUER, clientId: env.COGNITO_CLIENT_ID } : undefined,
  /** Local HS256 tokens only; never read in Lambda. */
  localJwtSecret: env.LOCAL_JWT_SECRET,
  corsOrigins: env.CORS_ORIGINS ?? [],
  secretArns: {
    "stripe-key": env.STRIPE_SECRET_ARN,
    "webhook-secret": env.STRIPE_WEBHOOK_SECRET_ARN,
    "data-key": env.DATA_KEY_SECRET_ARN,
    "blind-index-key": env.BLIND_INDEX_KEY_SECRET_ARN,
    "ticket-key": env.TICKET_KEY_SECRET_ARN,
  },
} as const;
