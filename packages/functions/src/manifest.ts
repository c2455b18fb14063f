// Types shared by the two manifests (routes.ts, schedules.ts) and everything that reads them.

/**
 * Who may call a route. `public` and `optional` have no API Gateway authorizer (`optional` reads
 * the caller when a token is sent); the others sit behind the JWT authorizer and the handler
 * checks the role from `cognito:groups`; `stripe` is the signed webhook.
 */
export type Access = "public" | "optional" | "member" | "organizer" | "admin" | "stripe";

/** What a function touches at run time; infra grants exactly these and nothing else. */
export type Resource = "db" | "stripe-key" | "webhook-secret" | "data-key" | "webhook-queue" | "metrics" | "ticket-key";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface RouteDef {
  method: HttpMethod;
  /** API Gateway path syntax, e.g. `/events/{eventId}`. */
  path: string;
  /** Module under packages/functions/src that exports `handler`, e.g. `http/health`. */
  handler: string;
  access: Access;
  resources: readonly Resource[];
  timeoutSeconds?: number;
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

/** Whether API Gateway's JWT authorizer guards the route. */
export const needsAuthorizer = (route: Pick<RouteDef, "access">): boolean =>
  route.access === "member" || route.access === "organizer" || route.access === "admin";

/** SST/CDK handler string for a manifest module, relative to the repository root. */
export const handlerPath = (module: string): string => `packages/functions/src/${module}.handler`;
