// Handler contracts that live in infra rather than in a manifest: the webhook consumer and the migration runner.
// Kept free of CDK imports so tests and tools can read them without loading SST.
import { taskConsumer, webhookConsumer } from "@evently/functions/consumers";
import type { JobDef, Resource } from "@evently/functions/manifest";

type Contract = Pick<JobDef, "name" | "handler" | "resources" | "timeoutSeconds">;

/** Declared with its time limit in the consumer manifest, which the local queue reads too. */
export const WEBHOOK_CONSUMER = webhookConsumer;

/** AWS's rule of thumb: six consumer timeouts, so retries inside the batch never surface a message twice. */
export const WEBHOOK_VISIBILITY_SECONDS = 6 * WEBHOOK_CONSUMER.timeoutSeconds;
/** After five failed receives a message is parked for a human instead of retried forever. */
export const WEBHOOK_MAX_RECEIVE_COUNT = 5;
export const WEBHOOK_BATCH_SIZE = WEBHOOK_CONSUMER.batchSize;

/** Runs provider tasks (PaymentIntents, cancels, refunds) as soon as they are committed. */
export const TASK_CONSUMER = taskConsumer;

export const TASK_VISIBILITY_SECONDS = 6 * TASK_CONSUMER.timeoutSeconds;
/** A task reschedules itself in its table row; the queue only retries records that could not be read at all. */
export const TASK_MAX_RECEIVE_COUNT = 5;

/** Runs once per deploy from an SST Script, not per request. */
export const MIGRATE = {
  name: "migrate",
  handler: "ops/migrate",
  resources: ["db"] as readonly Resource[],
  /** Generous: a data migration on a big table must not be cut off mid-transaction by Lambda. */
  timeoutSeconds: 600,
} as const satisfies Contract;

/** Cognito calls it on every token it issues; it holds admins to TOTP MFA. */
export const PRE_TOKEN = {
  name: "pre-token",
  handler: "auth/pre-token",
  resources: [] as readonly Resource[],
  /** Cognito waits at most 5 s for a trigger. */
  timeoutSeconds: 5,
} as const satisfies Contract;

/** Invoked by Secrets Manager's rotation schedule; touches nothing but its own secret. */
export const ROTATE_TICKET_KEY = {
  name: "rotate-ticket-key",
  handler: "ops/rotate-ticket-key",
  resources: [] as readonly Resource[],
  timeoutSeconds: 30,
} as const satisfies Contract;

/** Every handler module infra deploys besides the manifests' routes and jobs. */
export const INFRA_HANDLERS: readonly string[] = [
  WEBHOOK_CONSUMER.handler,
  TASK_CONSUMER.handler,
  MIGRATE.handler,
  PRE_TOKEN.handler,
  ROTATE_TICKET_KEY.handler,
];

/**
 * The HTTP API's CORS rules besides the origins (which come from CORS_ORIGINS): API Gateway applies
 * them in AWS, the local server (packages/local/src/server/cors.ts) answers the same way.
 */
export const API_CORS = {
  allowMethods: ["GET", "POST", "PATCH", "DELETE"],
  allowHeaders: ["authorization", "content-type", "idempotency-key"],
  exposeHeaders: ["x-request-id"],
} as const;
