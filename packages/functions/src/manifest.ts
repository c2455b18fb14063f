// Types shared by the two manifests (routes.ts, schedules.ts) and everything that reads them.

/**
 * Who may call a route. `public` and `optional` have no API Gateway authorizer (`optional` reads
 * the caller when a token is sent); the others sit behind the JWT authorizer and the handler
 * checks the role from `cognito:groups`; `stripe` is the signed webhook.
 */
export type Access = "public" | "optional" | "member" | "organizer" | "admin" | "stripe";

/** What a function touches at run time; infra grants exactly these and nothing else. */
export type Resource =
  "db" | "stripe-key" | "webhook-secret" | "data-key" | "webhook-queue" | "task-queue" | "mail-queue" | "metrics" | "ticket-key";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface RouteDef {
  method: HttpMethod;
  /** API Gateway path syntax, e.g. `/events/{eventId}`. */
  path: string;
  /** Module under packages/functions/src that exports `handler`, e.g. `http/health`. */
  handler: string;
  access: Access;
  resources: readonly Resource[];
  /** The function's time limit: Lambda's timeout in AWS, enforced by the local server too. */
  timeoutSeconds: number;
  memoryMB?: number;
}

export interface JobDef {
  name: string;
  /** Module under packages/functions/src that exports `handler`, e.g. `jobs/expire-holds`. */
  handler: string;
  /** Standard five-field cron in UTC (croner locally; converted for EventBridge in infra). */
  cron: string;
  description: string;
  resources: readonly Resource[];
  timeoutSeconds: number;
}

/** A queue consumer: nothing routes to it by URL or schedule, so it has its own manifest (consumers.ts). */
export interface ConsumerDef {
  name: string;
  /** Module under packages/functions/src that exports `handler`. */
  handler: string;
  resources: readonly Resource[];
  /** Lambda's timeout for one batch; the queue's visibility timeout is derived from it. */
  timeoutSeconds: number;
  /** Records per batch (the SQS event source's batchSize). */
  batchSize: number;
}

/**
 * The route time limits, by what a route waits on (docs/time-limits.md explains each).
 * API Gateway's HTTP API cuts every integration at 30 s, so none may reach that.
 */
export const ROUTE_LIMITS = {
  /** Database only (or one SQS send): short transactions; slower means the database is in trouble. */
  standard: 6,
  /** One provider call (Stripe) besides the database: its budget plus the transaction around it. */
  provider: 10,
  /** Bulk database work that fans out to provider tasks (cancelling a whole event). */
  bulk: 15,
} as const satisfies Record<string, number>;

/** Whether API Gateway's JWT authorizer guards the route. */
export const needsAuthorizer = (route: Pick<RouteDef, "access">): boolean =>
  route.access === "member" || route.access === "organizer" || route.access === "admin";

/**
 * `Cache-Control` of a success answer of a route that declares `cacheSeconds`. An answer to a
 * caller who sent a token may be theirs alone (an `optional` route), so no cache keeps it.
 */
export const cacheControl = (cacheSeconds: number, withToken: boolean): string =>
  withToken ? "private, no-store" : `public, max-age=${cacheSeconds}`;

/** SST/CDK handler string for a manifest module, relative to the repository root. */
export const handlerPath = (module: string): string => `packages/functions/src/${module}.handler`;
