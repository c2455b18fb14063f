// What the tests expect from a manifest entry, written independently of infra/access.ts so the two can disagree.
import type { Access, Resource } from "@evently/functions/manifest";

/** Env vars the infra sets from `resources` (and access); SST's and Powertools' own vars are not listed. */
export const MANAGED_ENV = new Set([
  "DB_SECRET_ARN",
  "DB_IAM_AUTH",
  "DB_HOST",
  "DB_PORT",
  "DB_NAME",
  "DB_USER",
  "HOLD_TTL_SECONDS",
  "STRIPE_SECRET_ARN",
  "STRIPE_WEBHOOK_SECRET_ARN",
  "DATA_KEY_SECRET_ARN",
  "BLIND_INDEX_KEY_SECRET_ARN",
  "WEBHOOK_QUEUE_URL",
  "PROVIDER_TASK_QUEUE_URL",
  "MAIL_QUEUE_URL",
  "TICKET_KEY_SECRET_ARN",
  "COGNITO_ISSUER",
  "COGNITO_CLIENT_ID",
]);

const BY_RESOURCE: Record<Resource, string[]> = {
  // Functions sign in with an IAM token; no function but the migrator sees the master secret.
  db: ["DB_IAM_AUTH", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "HOLD_TTL_SECONDS"],
  "stripe-key": ["STRIPE_SECRET_ARN"],
  "webhook-secret": ["STRIPE_WEBHOOK_SECRET_ARN"],
  "data-key": ["DATA_KEY_SECRET_ARN", "BLIND_INDEX_KEY_SECRET_ARN"],
  "mail-queue": ["MAIL_QUEUE_URL"],
  "webhook-queue": ["WEBHOOK_QUEUE_URL"],
  "task-queue": ["PROVIDER_TASK_QUEUE_URL"],
  "ticket-key": ["TICKET_KEY_SECRET_ARN"],
  metrics: [],
};

export function expectedEnv(entry: { resources: readonly Resource[]; access?: Access }): string[] {
  const names = new Set(entry.resources.flatMap((r) => BY_RESOURCE[r]));
  if (entry.access === "optional") {
    names.add("COGNITO_ISSUER");
    names.add("COGNITO_CLIENT_ID");
  }
  return [...names];
}

/** Secrets by the resource that grants them; "db" is the Aurora master secret (the migrator's alone), "data-key" the keyring and the index key. */
export const SECRET_RESOURCES = ["db", "stripe-key", "webhook-secret", "data-key", "ticket-key"] as const satisfies readonly Resource[];
export type SecretResource = (typeof SECRET_RESOURCES)[number];

/** The physical secret names operators use (infra/secrets.ts), per stage. */
export const secretNames = (stage: string, resource: Exclude<SecretResource, "db">): string[] =>
  ({
    "stripe-key": [`evently/${stage}/stripe-secret-key`],
    "webhook-secret": [`evently/${stage}/stripe-webhook-secret`],
    "data-key": [`evently/${stage}/data-key`, `evently/${stage}/index-key`],
    "ticket-key": [`evently/${stage}/ticket-signing-keys`],
  })[resource];

/** The one physical secret name of a resource that has a single secret. */
export const secretName = (stage: string, resource: Exclude<SecretResource, "db">): string => secretNames(stage, resource)[0]!;
