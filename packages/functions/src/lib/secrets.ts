// Secrets: from Secrets Manager in AWS (Powertools Parameters, cached), from the environment locally.
// Values are never logged.

export type SecretName = "stripe-key" | "webhook-secret" | "data-key" | "ticket-key";

const LOCAL: Record<SecretName, { env: string; fallback?: string }> = {
  "stripe-key": { env: "STRIPE_SECRET_KEY", fallback: "sk_test_local" },
  "webhook-secret": { env: "STRIPE_WEBHOOK_SECRET", fallback: "whsec_local_dev" },
  // 32 bytes, base64; the local default only ever protects local data.
  "data-key": { env: "DATA_KEY", fallback: "v1:bG9jYWwtZGV2LWRhdGEta2V5LW5vdC1hLXNlY3JldCE=" },
  // No fallback: without it, lib/ticket-keys.ts generates a key for the process.
  "ticket-key": { env: "TICKET_KEYS" },
};

const ARN_ENV: Record<SecretName, string> = {
  "stripe-key": "STRIPE_SECRET_ARN",
  "webhook-secret": "STRIPE_WEBHOOK_SECRET_ARN",
  "data-key": "DATA_KEY_SECRET_ARN",
  "ticket-key": "TICKET_KEY_SECRET_ARN",
};

export async function getSecretValue(name: SecretName): Promise<string> {
  const arn = process.env[ARN_ENV[name]];
  if (arn) {
    const { getSecret } = await import("@aws-lambda-powertools/parameters/secrets");
    const value = await getSecret(arn, { maxAge: 300 });
    if (typeof value !== "string" || value === "") throw new Error(`Secret ${name} is empty`);
    return value;
  }
  const { env, fallback } = LOCAL[name];
  const value = process.env[env] ?? fallback;
  if (!value) throw new Error(`Set ${env}`);
  return value;
}
