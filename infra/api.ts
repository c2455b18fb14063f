// Api stack: the HTTP API built from routes.ts, one Lambda per route, the Cognito JWT authorizer where the manifest asks.
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { Api as SstApi, Function as SstFunction, dependsOn, use, type ApiFunctionRouteProps, type StackContext } from "sst/constructs";
import { handlerPath, needsAuthorizer, type RouteDef } from "@evently/functions/manifest";
import { routes } from "@evently/functions/routes";
import { accessProps, grantAccess, type AccessDeps } from "./access";
import { useAccessDeps } from "./access-deps";
import { Alerts, watchFunction } from "./alerts";
import { createAuth } from "./auth";
import { Migrations } from "./migrations";

export const DEFAULT_ROUTE_MEMORY_MB = 1024;

/** The authorizer's key in the SST Api; routes name it, or "none". */
const JWT_AUTHORIZER = "jwt";

const routeKey = (route: Pick<RouteDef, "method" | "path">): string => `${route.method} ${route.path}`;

export interface ApiOutputs {
  httpApi: apigwv2.IHttpApi;
  url: string;
  userPoolId: string;
  userPoolClientId: string;
}

/** Where handlers verify a bearer token themselves (lib/auth.ts): `optional` routes have no authorizer. */
interface TokenIssuer {
  issuer: string;
  clientId: string;
}

function routeProps(route: RouteDef, deps: AccessDeps, cognito: TokenIssuer): ApiFunctionRouteProps<typeof JWT_AUTHORIZER> {
  const access = accessProps(route.resources, deps);
  const verifiesOwnToken = route.access === "optional";
  return {
    authorizer: needsAuthorizer(route) ? JWT_AUTHORIZER : "none",
    function: {
      handler: handlerPath(route.handler),
      description: `${routeKey(route)} (${route.handler})`,
      timeout: route.timeoutSeconds,
      memorySize: route.memoryMB ?? DEFAULT_ROUTE_MEMORY_MB,
      ...access,
      environment: {
        ...access.environment,
        ...(verifiesOwnToken ? { COGNITO_ISSUER: cognito.issuer, COGNITO_CLIENT_ID: cognito.clientId } : {}),
      },
    },
  };
}

export function Api({ app, stack }: StackContext): ApiOutputs {
  const deps = useAccessDeps();
  const { topic } = use(Alerts);
  dependsOn(Migrations);
  const { userPool, client } = createAuth(stack, app.stage);
  const cognito: TokenIssuer = { issuer: userPool.userPoolProviderUrl, clientId: client.userPoolClientId };

  const keys = new Set<string>();
  for (const route of routes) {
    if (keys.has(routeKey(route))) throw new Error(`routes.ts lists ${routeKey(route)} twice`);
    keys.add(routeKey(route));
  }

  const api = new SstApi(stack, "Api", {
    authorizers: {
      [JWT_AUTHORIZER]: {
        type: "user_pool",
        userPool: { id: userPool.userPoolId, clientIds: [client.userPoolClientId] },
      },
    },
    cors: {
      allowMethods: ["GET", "POST", "PATCH", "DELETE"],
      allowHeaders: ["authorization", "content-type", "idempotency-key"],
      exposeHeaders: ["x-request-id"],
      // Bearer tokens, not cookies: any origin may call; set CORS_ORIGINS to narrow it.
      allowOrigins: process.env.CORS_ORIGINS?.split(",").map((o) => o.trim()) ?? ["*"],
    },
    routes: Object.fromEntries(routes.map((route) => [routeKey(route), routeProps(route, deps, cognito)])),
  });

  for (const route of routes) {
    const fn = api.getFunction(routeKey(route));
    if (!(fn instanceof SstFunction)) throw new Error(`No function for ${routeKey(route)}`);
    grantAccess(fn, route.resources, deps);
    watchFunction(fn, routeKey(route), topic);
  }

  stack.addOutputs({
    ApiUrl: api.url,
    UserPoolId: userPool.userPoolId,
    UserPoolClientId: client.userPoolClientId,
  });

  return { httpApi: api.cdk.httpApi, url: api.url, userPoolId: userPool.userPoolId, userPoolClientId: client.userPoolClientId };
}
