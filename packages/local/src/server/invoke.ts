// Runs a route's handler the way Lambda behind API Gateway's HTTP API would: with a context whose
// clock is the route's time limit, and API Gateway's own answer when the function fails or runs out.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { RouteDef } from "@evently/functions/manifest";
import { lambdaContext } from "./apigw-event";

export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's HTTP API stops waiting for any integration after 30 s, whatever Lambda's timeout. */
export const INTEGRATION_TIMEOUT_SECONDS = 30;

/**
 * What an HTTP API answers itself. A function that throws or is stopped at its
 * timeout is an invocation error: 500 `{"message":"Internal Server Error"}`. An integration still
 * running at 30 s: 503 `{"message":"Service Unavailable"}`. (docs/time-limits.md has the sources.)
 */
export const FUNCTION_ERROR: APIGatewayProxyStructuredResultV2 = {
  statusCode: 500,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: "Internal Server Error" }),
};
export const INTEGRATION_TIMEOUT: APIGatewayProxyStructuredResultV2 = {
  statusCode: 503,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: "Service Unavailable" }),
};

export interface Invocation {
  result: APIGatewayProxyStructuredResultV2;
  /** Why API Gateway answered instead of the function, if it did. */
  failure?: "timeout" | "integration-timeout" | "error";
  error?: unknown;
}

/**
 * Invokes `handler` under the route's limit. Lambda would freeze a timed-out function; here its
 * promise is left to settle in the background and its late answer is dropped, as AWS drops it.
 */
export async function invokeWithLimit(
  route: Pick<RouteDef, "handler" | "timeoutSeconds">,
  handler: Handler,
  event: APIGatewayProxyEventV2,
): Promise<Invocation> {
  const limitSeconds = Math.min(route.timeoutSeconds, INTEGRATION_TIMEOUT_SECONDS);
  const byGateway = route.timeoutSeconds >= INTEGRATION_TIMEOUT_SECONDS;
  const context = lambdaContext(route.handler.replace(/\W+/g, "-"), route.timeoutSeconds);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Invocation>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(
          byGateway ? { result: INTEGRATION_TIMEOUT, failure: "integration-timeout" } : { result: FUNCTION_ERROR, failure: "timeout" },
        ),
      limitSeconds * 1000,
    );
  });
  const invoked = Promise.resolve()
    .then(() => handler(event, context))
    .then(
      (result): Invocation => ({ result }),
      (error: unknown): Invocation => ({ result: FUNCTION_ERROR, failure: "error", error }),
    );
  try {
    return await Promise.race([invoked, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
