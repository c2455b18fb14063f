// Api stack: the HTTP API itself (CORS, the Cognito JWT authorizer, the user pool); routes live in api-routes.ts stacks, the stage in api-stage.ts.
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { Api as SstApi, use, type StackContext } from "sst/constructs";
import type { RouteDef } from "@evently/functions/manifest";
import { Alerts, watchFunction } from "./alerts";
import { createAuth } from "./auth";
import { deployConfig } from "./config";
import { PRE_TOKEN } from "./contracts";
import { exportForConsumers } from "./stage";

/** The authorizer's key in the SST Api; routes name it, or "none". */
export const JWT_AUTHORIZER = "jwt";

export const routeKey = (route: Pick<RouteDef, "method" | "path">): string => `${route.method} ${route.path}`;

/** Where handlers verify a bearer token themselves (lib/auth.ts): `optional` routes have no authorizer. */
export interface TokenIssuer {
  issuer: string;
  clientId: string;
}

/** The API's one authorizer: Cognito user pool tokens (SST's "user_pool" JWT authorizer). */
type Authorizers = Record<typeof JWT_AUTHORIZER, { type: "user_pool"; userPool: { id: string; clientIds: string[] } }>;

export interface ApiOutputs {
  api: SstApi<Authorizers>;
  httpApi: apigwv2.IHttpApi;
  cognito: TokenIssuer;
  url: string;
  userPoolId: string;
  userPoolClientId: string;
}

export function Api({ app, stack }: StackContext): ApiOutputs {
  const config = deployConfig(app.stage);
  const { topic } = use(Alerts);
  const { userPool, client, preToken } = createAuth(stack, app.stage, config.auth);
  watchFunction(preToken, PRE_TOKEN.name, topic, PRE_TOKEN.timeoutSeconds);
  const cognito: TokenIssuer = { issuer: userPool.userPoolProviderUrl, clientId: client.userPoolClientId };

  const api = new SstApi<Authorizers>(stack, "Api", {
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
      // Bearer tokens, not cookies; still only the front ends we know (CORS_ORIGINS, required in prod).
      allowOrigins: config.corsOrigins,
    },
    // The stage (throttling, access logs) is created after every route stack, in api-stage.ts:
    // per-route settings name routes that must already exist when the stage deploys.
    accessLog: false,
    cdk: { httpApi: { createDefaultStage: false } },
  });

  exportForConsumers(stack, [api.cdk.httpApi.apiId]);
  stack.addOutputs({
    ApiUrl: api.url,
    UserPoolId: userPool.userPoolId,
    UserPoolClientId: client.userPoolClientId,
  });

  return {
    api,
    httpApi: api.cdk.httpApi,
    cognito,
    url: api.url,
    userPoolId: userPool.userPoolId,
    userPoolClientId: client.userPoolClientId,
  };
}
