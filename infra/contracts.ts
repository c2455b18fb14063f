// Handler contracts that live in infra rather than in a manifest: the webhook consumer and the migration runner.
// Kept free of CDK imports so tests and tools can read them without loading SST.
import type { JobDef, Resource } from "@evently/functions/manifest";

type Contract = Pick<JobDef, "name" | "handler" | "resources" | "timeoutSeconds">;

/** Nothing routes to the consumer by URL or schedule, so no manifest lists it. */
export const WEBHOOK_CONSUMER = {
  name: "webhook-processor",
  handler: "queue/webhook-processor",
  resources: ["db", "stripe-key", "data-key", "metrics"],
  timeoutSeconds: 30,
} as const satisfies Contract;

/** AWS's rule of thumb: six consumer timeouts, so retries inside the batch never surface a message twice. */
export const WEBHOOK_VISIBILITY_SECONDS = 6 * WEBHOOK_CONSUMER.timeoutSeconds;
/** After five failed receives a message is parked for a human instead of retried forever. */
export const WEBHOOK_MAX_RECEIVE_COUNT = 5;
export const WEBHOOK_BATCH_SIZE = 10;

/** Runs once per deploy from an SST Script, not per request. */
export const MIGRATE = {
  name: "migrate",
  handler: "ops/migrate",
  resources: ["db"] as readonly Resource[],
  /** Generous: a data migration on a big table must not be cut off mid-transaction by Lambda. */
  timeoutSeconds: 600,
} as const satisfies Contract;

/** Invoked by Secrets Manager's rotation schedule; touches nothing but its own secret. */
export const ROTATE_TICKET_KEY = {
  name: "rotate-ticket-key",
  handler: "ops/rotate-ticket-key",
  resources: [] as readonly Resource[],
  timeoutSeconds: 30,
} as const satisfies Contract;

/** Every handler module infra deploys besides the manifests' routes and jobs. */
export const INFRA_HANDLERS: readonly string[] = [WEBHOOK_CONSUMER.handler, MIGRATE.handler, ROTATE_TICKET_KEY.handler];
