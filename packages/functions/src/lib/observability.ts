// Powertools singletons, created once per container and wired into every middy stack (HTTP routes,
// the SQS consumer, jobs). Every value a log line carries passes redact.ts first, so no call site
// can log a whole error object, a token or a row value.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { MiddlewareObj } from "@middy/core";
import { METRICS_NAMESPACE, SERVICE_NAME } from "./metric-names";
import { redactLogValue } from "./redact";
import type * as Tracing from "./tracing";

export const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME;

export const logger = new Logger({ serviceName, jsonReplacerFn: redactLogValue });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName,
  // Most HTTP routes emit no custom metric; "no metrics to publish" is not worth a log line.
  logger: logger.createChild({ logLevel: "ERROR" }),
});

let tracing: Promise<typeof Tracing> | undefined;

/** The Tracer's module (tracing.ts), loaded once per container on first use. */
function loadTracing(): Promise<typeof Tracing> {
  tracing ??= import("./tracing").catch((error: unknown) => {
    tracing = undefined; // the next invocation tries again rather than never tracing
    throw error;
  });
  return tracing;
}

/**
 * Powertools' captureLambdaHandler for a middy stack, with the Tracer loaded by the first
 * invocation: the same segments and annotations (the first one is still the cold start), without
 * the X-Ray SDK in every function's import.
 */
export function traceInvocations(): MiddlewareObj {
  let capture: MiddlewareObj | undefined;
  const middleware = async () => (tracingActive() ? (capture ??= (await loadTracing()).captureHandler()) : {});
  return {
    before: async (request) => (await middleware()).before?.(request),
    after: async (request) => (await middleware()).after?.(request),
    onError: async (request) => (await middleware()).onError?.(request),
  };
}

/**
 * X-Ray records only in Lambda, and only with tracing on. Elsewhere (npm start, tests, the bench)
 * the SDK is not loaded at all: its async hooks would slow every await for segments nobody sends.
 */
const tracingActive = (): boolean => Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) && process.env.POWERTOOLS_TRACE_ENABLED !== "false";
