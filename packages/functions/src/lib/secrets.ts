// Secrets: from Secrets Manager in AWS (Powertools Parameters, cached), from the environment
// locally (packages/local sets development values). Values are never logged.
//
// The data key and the blind-index key are two secrets. The data key is a keyring
// "v2:<32 bytes>,v1:<32 bytes>" (base64, or one bare 64-hex key = v1 as Secrets Manager generates
// it): the first key encrypts, every key decrypts. The blind-index key is 32 bytes (64 hex or
// base64) on its own and never rotates with the data key, so lookups by provider id keep working
// through a rotation.
import type { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { config, ConfigError } from "./config";

export type SecretName = "stripe-key" | "webhook-secret" | "data-key" | "blind-index-key" | "ticket-key";

/** Where each secret comes from: its ARN's variable in AWS, else the first local variable set. */
const SOURCES: Record<SecretName, { arnVariable: string; local: readonly string[] }> = {
  // STRIPE_SECRET_KEY is Stripe's real test mode; without it the local sandbox's key.
  "stripe-key": { arnVariable: "STRIPE_SECRET_ARN", local: ["STRIPE_SECRET_KEY", "STRIPE_SANDBOX_KEY"] },
  "webhook-secret": { arnVariable: "STRIPE_WEBHOOK_SECRET_ARN", local: ["STRIPE_WEBHOOK_SECRET"] },
  "data-key": { arnVariable: "DATA_KEY_SECRET_ARN", local: ["DATA_KEY"] },
  "blind-index-key": { arnVariable: "BLIND_INDEX_KEY_SECRET_ARN", local: ["BLIND_INDEX_KEY"] },
  // Without TICKET_KEYS, lib/ticket-keys.ts generates a key for the process.
  "ticket-key": { arnVariable: "TICKET_KEY_SECRET_ARN", local: ["TICKET_KEYS"] },
};

// Loaded on first read only, so the local runtime never loads the SDK; one traced client per container.
let provider: Promise<SecretsProvider> | undefined;
function secretsProvider(): Promise<SecretsProvider> {
  provider ??= Promise.all([
    import("@aws-lambda-powertools/parameters/secrets"),
    import("@aws-sdk/client-secrets-manager"),
    import("./tracing"),
  ]).then(
    ([{ SecretsProvider }, { SecretsManagerClient }, { traced }]) =>
      new SecretsProvider({ awsSdkV3Client: traced(new SecretsManagerClient({})) }),
  );
  return provider;
}

/**
 * A Secrets Manager secret, cached for five minutes (rotation reaches warm containers that soon);
 * `fresh` reads past the cache (and refreshes it) when a caller knows the cached value is stale.
 */
export async function readSecret(arn: string, options: { fresh?: boolean } = {}): Promise<string> {
  const value = await (await secretsProvider()).get(arn, { maxAge: 300, forceFetch: options.fresh ?? false });
  if (typeof value !== "string" || value === "") throw new Error(`Secret ${arn} is empty`);
  return value;
}

/** A JSON secret (e.g. Aurora's generated credentials). */
export async function readSecretJson(arn: string): Promise<Record<string, unknown>> {
  const parsed: unknown = JSON.parse(await readSecret(arn));
  if (typeof parsed !== "object" || parsed === null) throw new Error(`Secret ${arn} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

export async function getSecretValue(name: SecretName, options: { fresh?: boolean } = {}): Promise<string> {
  const { arnVariable, local } = SOURCES[name];
  const arn = config.secretArns[name];
  if (arn) return readSecret(arn, options);
  // Never a local value in Lambda: assertConfigured stops such a function at start already.
  if (config.inLambda) throw new ConfigError(arnVariable, "is not set");
  // Read at use, not at start: the local runtime and test harnesses may set these late.
  const value = local.map((variable) => process.env[variable]).find(Boolean);
  if (!value) throw new ConfigError(local[0]!, "is not set (packages/local/src/env-defaults.ts sets development values)");
  return value;
}
