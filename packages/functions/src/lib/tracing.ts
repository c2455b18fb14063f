// The X-Ray Tracer, loaded on a function's first invocation (or first AWS SDK client) instead of at
// import: the X-Ray SDK behind it patches https, opens its UDP emitter and reads its resources when
// loaded, the largest single cost of an import otherwise. Import it only dynamically
// (observability.ts: loadTracing), or from modules that are themselves loaded on first use.
import { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import { serviceName } from "./observability";

/**
 * X-Ray, active only in Lambda with tracing on: outgoing HTTPS (Stripe, Cognito's JWKS) is
 * captured by patching node's https module here; AWS SDK clients are wrapped where they are made
 * (traced()). Responses are never recorded: they carry client secrets and personal data.
 */
export const tracer = new Tracer({ serviceName, captureHTTPsRequests: true });

/** An AWS SDK v3 client whose calls become X-Ray subsegments. */
export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);

/** The middy middleware that opens the handler's subsegment; the response is never recorded. */
export const captureHandler = () => captureLambdaHandler(tracer, { captureResponse: false });
