// Route stacks: the manifest's routes, one stack per handler folder, each holding its routes' functions, integrations and alarms.
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { Function as SstFunction, dependsOn, use, type ApiFunctionRouteProps, type StackContext } from "sst/constructs";
import { handlerPath, needsAuthorizer, type RouteDef } from "@evently/functions/manifest";
import { routes } from "@evently/functions/routes";
import { accessProps, grantAccess, type AccessDeps } from "./access";
import { useAccessDeps } from "./access-deps";
import { Alerts, watchFunction } from "./alerts";
import { Api, JWT_AUTHORIZER, routeKey, type TokenIssuer } from "./api";
import { Migrations } from "./migrations";
import { suppress } from "./nag";

/** API Gateway's hard integration limit is 30 s; routes without their own limit get this one. */
const DEFAULT_ROUTE_TIMEOUT_SECONDS = 10;
const DEFAULT_ROUTE_MEMORY_MB = 1024;

/**
 * A route costs about ten resources (function, role, policy, log retention, permission,
 * integration, route and three alarms), so 30 routes keep a stack near 310, under the 400 we
 * allow ourselves and far from CloudFormation's 500.
 */
export const MAX_ROUTES_PER_STACK = 30;

/**
 * The stack a route belongs to: its handler's folder (`http/events/get` → "events", `http/health`
 * → "root"). Stable on purpose: moving a route between stacks would create it in one before
 * deleting it from the other, which API Gateway refuses (a route key is unique per API), so
 * only moving a handler to another folder moves its route, and that takes two deploys.
 */
export function routeGroup(route: Pick<RouteDef, "handler">): string {
  const folders = route.handler.split("/").slice(1, -1);
  return folders.length === 0 ? "root" : folders.join("-");
}

const routeStackId = (group: string): string => `ApiRoutes-${group.replace(/[^A-Za-z0-9-]/g, "-")}`;

/** Groups the manifest, rejecting what CloudFormation or API Gateway would reject later and less clearly. */
export function groupRoutes(list: readonly RouteDef[]): Map<string, RouteDef[]> {
  const keys = new Set<string>();
  const groups = new Map<string, RouteDef[]>();
  for (const route of list) {
    if (keys.has(routeKey(route))) throw new Error(`routes.ts lists ${routeKey(route)} twice`);
    keys.add(routeKey(route));
    const id = routeStackId(routeGroup(route));
    groups.set(id, [...(groups.get(id) ?? []), route]);
  }
  for (const [id, members] of groups) {
    if (members.length > MAX_ROUTES_PER_STACK) {
      throw new Error(
        `${id} would hold ${members.length} routes (at most ${MAX_ROUTES_PER_STACK} per stack): move some of its handlers into a sub-folder, which becomes its own stack`,
      );
    }
  }
  return groups;
}

function routeProps(route: RouteDef, deps: AccessDeps, cognito: TokenIssuer): ApiFunctionRouteProps<typeof JWT_AUTHORIZER> {
  const access = accessProps(route.resources, deps);
  const verifiesOwnToken = route.access === "optional";
  return {
    authorizer: needsAuthorizer(route) ? JWT_AUTHORIZER : "none",
    function: {
      handler: handlerPath(route.handler),
      description: `${routeKey(route)} (${route.handler})`,
      timeout: timeoutOf(route),
      memorySize: route.memoryMB ?? DEFAULT_ROUTE_MEMORY_MB,
      ...access,
      environment: {
        ...access.environment,
        ...(verifiesOwnToken ? { COGNITO_ISSUER: cognito.issuer, COGNITO_CLIENT_ID: cognito.clientId } : {}),
      },
    },
  };
}

const timeoutOf = (route: Pick<RouteDef, "timeoutSeconds">): number => route.timeoutSeconds ?? DEFAULT_ROUTE_TIMEOUT_SECONDS;

export interface RouteStackOutputs {
  functions: Record<string, SstFunction>;
}

function routeStack(id: string, group: readonly RouteDef[]): (ctx: StackContext) => RouteStackOutputs {
  const fn = ({ stack }: StackContext): RouteStackOutputs => {
    const deps = useAccessDeps();
    const { topic } = use(Alerts);
    const { api, cognito } = use(Api);
    dependsOn(Migrations);

    // Functions, integrations and routes are created in this stack; the API and authorizer stay in Api.
    api.addRoutes(stack, Object.fromEntries(group.map((route) => [routeKey(route), routeProps(route, deps, cognito)])));
    const functions: Record<string, SstFunction> = {};
    for (const route of group) {
      const fn = api.getFunction(routeKey(route));
      if (!(fn instanceof SstFunction)) throw new Error(`No function for ${routeKey(route)}`);
      grantAccess(fn, route.resources, deps);
      watchFunction(fn, routeKey(route), topic, timeoutOf(route));
      functions[routeKey(route)] = fn;
    }
    // The routes without the JWT authorizer are open by design: public reads, `optional` routes
    // that verify a token themselves, and the Stripe webhook, which checks Stripe's signature.
    for (const route of stack.node.findAll().filter((c): c is apigwv2.CfnRoute => c instanceof apigwv2.CfnRoute)) {
      const def = group.find((r) => routeKey(r) === route.routeKey);
      if (def && !needsAuthorizer(def))
        suppress(route, "APIG4", `${route.routeKey} is "${def.access}" in routes.ts: no authorizer by design`);
    }
    return { functions };
  };
  // SST names a stack after its function.
  Object.defineProperty(fn, "name", { value: id });
  return fn;
}

/** One stack function per route group of routes.ts, in a stable order; index.ts registers them. */
export const ROUTE_STACKS: readonly ((ctx: StackContext) => RouteStackOutputs)[] = [...groupRoutes(routes)]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([id, group]) => routeStack(id, group));
