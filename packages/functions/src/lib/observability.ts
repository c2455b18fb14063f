// Powertools singletons, created once per container and wired into every middy stack (HTTP routes,
// the SQS consumer, jobs). Every value a log line carries passes redact.ts first, so no call site
// can log a whole error object, a token or a row value.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { METRICS_NAMESPACE, SERVICE_NAME } from "./metric-names";
import { redactLogValue } from "./redact";

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME;

export const logger = new Logger({ serviceName, jsonReplacerFn: redactLogValue });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName,
  // Most HTTP routes emit no custom metric; "no metrics to publish" is not worth a log line.
  logger: logger.createChild({ logLevel: "ERROR" }),
});

/**
 * X-Ray, active only in Lambda with tracing on: outgoing HTTPS (Stripe, Cognito's JWKS) is
 * captured by patching node's https module here; AWS SDK clients are wrapped where they are made
 * (traced()). Responses are never recorded: they carry client secrets and personal data.
 */
export const tracer = new Tracer({ serviceName, captureHTTPsRequests: true });

/** An AWS SDK v3 client whose calls become X-Ray subsegments. */
export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);

/** The middy options every stack passes to captureLambdaHandler. */
export const TRACE_OPTIONS = { captureResponse: false } as const;
