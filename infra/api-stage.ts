// ApiStage stack: the HTTP API's $default stage, deployed after every route stack: throttling (stage-wide and per hot route) and access logs.
import { RemovalPolicy } from "aws-cdk-lib";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import * as logs from "aws-cdk-lib/aws-logs";
import { dependsOn, use, type StackContext } from "sst/constructs";
import type { RouteDef } from "@evently/functions/manifest";
import { routes } from "@evently/functions/routes";
import { Api, routeKey } from "./api";
import { ROUTE_STACKS } from "./api-routes";
import { stageSettings } from "./stage";

export interface Throttle {
  /** Steady requests per second. */
  rate: number;
  /** Requests API Gateway accepts at once above the rate before answering 429. */
  burst: number;
}

/**
 * Routes a client can hammer cheaply, with prod limits (dev stages scale them down). Each limit
 * sits below the stage's 500/s so one route cannot use up the whole API:
 * - buying holds seats under the event row's lock: 100/s is past what one event sells through
 *   the proxy's pool (the rush benchmark), more only queues on the lock;
 * - the Stripe webhook is public and unauthenticated until its signature is checked: Stripe
 *   sends a handful a second, so 50/s is ample and a forged flood stops at the gateway;
 * - RSVPs take the same lock as orders;
 * - the public list and availability are what a waiting crowd refreshes.
 */
export const HOT_ROUTES: Record<string, Throttle> = {
  "POST /events/{eventId}/orders": { rate: 100, burst: 200 },
  "POST /webhooks/stripe": { rate: 50, burst: 100 },
  "POST /events/{eventId}/rsvp": { rate: 100, burst: 200 },
  "GET /events": { rate: 200, burst: 400 },
  "GET /events/{eventId}/availability": { rate: 200, burst: 400 },
};

/**
 * Route settings for the hot routes the manifest has: API Gateway refuses settings for a route
 * that does not exist (tests/infra checks that every key names a route of routes.ts).
 */
function routeThrottles(list: readonly RouteDef[], scale: number): Record<string, Throttle> {
  const keys = new Set(list.map(routeKey));
  return Object.fromEntries(
    Object.entries(HOT_ROUTES)
      .filter(([key]) => keys.has(key))
      .map(([key, t]) => [key, { rate: Math.max(1, Math.round(t.rate * scale)), burst: Math.max(1, Math.round(t.burst * scale)) }]),
  );
}

/** One JSON line per request: enough to trace a request id to its route, caller and latency. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integration.latency",
  integrationStatus: "$context.integration.status",
  integrationError: "$context.integration.error",
  authorizerError: "$context.authorizer.error",
});

export function ApiStage({ app, stack }: StackContext): { stage: apigwv2.CfnStage; accessLogs: logs.LogGroup } {
  const { httpApi } = use(Api);
  for (const routeStack of ROUTE_STACKS) dependsOn(routeStack);
  const settings = stageSettings(app.stage);

  const accessLogs = new logs.LogGroup(stack, "AccessLogs", {
    logGroupName: `/aws/vendedlogs/apis/${app.stage}-${app.name}-api`,
    retention: settings.prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
    removalPolicy: settings.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });

  const stage = new apigwv2.CfnStage(stack, "DefaultStage", {
    apiId: httpApi.apiId,
    stageName: "$default",
    autoDeploy: true,
    description: "The API's only stage; every route deploys here automatically",
    defaultRouteSettings: {
      throttlingRateLimit: settings.apiThrottle.rate,
      throttlingBurstLimit: settings.apiThrottle.burst,
    },
    // A JSON map keyed by route key: CloudFormation's own property names, not CDK's camelCase.
    routeSettings: Object.fromEntries(
      Object.entries(routeThrottles(routes, settings.apiThrottleScale)).map(([key, t]) => [
        key,
        { ThrottlingRateLimit: t.rate, ThrottlingBurstLimit: t.burst },
      ]),
    ),
    accessLogSettings: { destinationArn: accessLogs.logGroupArn, format: ACCESS_LOG_FORMAT },
  });

  return { stage, accessLogs };
}
