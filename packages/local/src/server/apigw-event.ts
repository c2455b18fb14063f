// Builds the API Gateway HTTP API (payload format 2.0) event and Lambda context for a local request.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import type { Match } from "./router";

const TEXT_TYPES = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

/**
 * Claims as API Gateway's JWT authorizer hands them to the function: every value a string. Arrays
 * become "[a b]" (so `cognito:groups` arrives as "[admin organizer]"), numbers and booleans their
 * text, objects JSON (an approximation: Cognito tokens carry none the app reads).
 */
export function stringifyClaims(claims: Record<string, unknown>): Record<string, string> {
  const text = (value: unknown): string =>
    Array.isArray(value)
      ? `[${value.map(text).join(" ")}]`
      : typeof value === "object" && value !== null
        ? JSON.stringify(value)
        : String(value);
  return Object.fromEntries(
    Object.entries(claims)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, text(v)]),
  );
}

export function buildEvent(
  req: IncomingMessage,
  url: URL,
  match: Match,
  body: Buffer,
  claims?: Record<string, unknown>,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") cookies.push(...String(value).split(/;\s*/));
    else headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(",");
  const now = new Date();
  const requestId = randomUUID();
  const routeKey = `${match.route.method} ${match.route.path}`;
  // API Gateway base64-encodes bodies that are not text, exactly like this.
  const isText = TEXT_TYPES.test(headers["content-type"] ?? "");
  const event = {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "127",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey,
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims: stringifyClaims(claims), scopes: [] } } } : {}),
    },
    ...(body.length ? { body: isText ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
  return event as APIGatewayProxyEventV2;
}

export function lambdaContext(functionName: string, timeoutSeconds = 30): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
