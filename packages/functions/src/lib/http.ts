// The middy stack every HTTP route shares: logging, metrics, header normalisation, JSON body,
// zod validation, and what the route's declaration asks for (access, idempotency, cache policy),
// with problem responses for every error.
import middy from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import type * as z from "zod";
import type { Actor } from "@evently/core/auth/actor";
import type { IdempotencyRequest } from "@evently/core/idempotency";
import { DomainError } from "@evently/core/errors";
import { DeadlineExceeded, withContextDeadline } from "@evently/core/shared/deadline";
import type { Body, Params, Query, RouteSchema } from "../api/route-schema";
import { cacheControl } from "../manifest";
import { assertConfigured } from "./config";
import "./mail"; // mail written by a request is nudged to the sender after commit
import { logger, metrics, traceInvocations } from "./observability";
import { problemResponse, toProblem } from "./problem";
// Registers the ticket key loader: any route may render ticket codes.
import "./ticket-keys";

export interface HttpRequest<S extends RouteSchema> {
  params: Params<S>;
  query: Query<S>;
  body: Body<S>;
  /** The request's Idempotency-Key, claimed in the route's scope: present exactly on idempotent routes. */
  idempotency: S["idempotency"] extends string ? IdempotencyRequest : undefined;
  /** Present on every route that requires a token; maybe on `optional` ones. */
  actor: Actor | undefined;
  headers: Record<string, string | undefined>;
  requestId: string;
  sourceIp: string | undefined;
  userAgent: string | undefined;
  event: APIGatewayProxyEventV2;
}

const REPLY = Symbol("reply");
export interface Reply {
  [REPLY]: true;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The body is already text (or base64 bytes) of the media type in `headers`: sent as is. */
  raw?: boolean;
  isBase64Encoded?: boolean;
}
export const reply = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  [REPLY]: true,
  status,
  body,
  ...(headers ? { headers } : {}),
});
/** A non-JSON body (an image, a file); `headers` must name its content-type. */
export const rawReply = (
  status: number,
  body: string,
  headers: Record<string, string> & { "content-type": string },
  isBase64Encoded = false,
): Reply => ({ [REPLY]: true, status, body, headers, raw: true, isBase64Encoded });
const isReply = (v: unknown): v is Reply => typeof v === "object" && v !== null && REPLY in v;

function issuesToErrors(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/** No text this API stores or compares may hold a NUL: PostgreSQL refuses it in text columns. */
function rejectNulInQuery(query: Record<string, string | undefined>): void {
  const errors = Object.entries(query)
    .filter(([name, value]) => name.includes("\u0000") || value?.includes("\u0000"))
    .map(([name]) => ({ path: name.replaceAll("\u0000", "\\0"), message: "Must not contain NUL characters" }));
  if (errors.length) throw new DomainError("validation_failed", "The request query is invalid", { errors });
}

function validate<T>(schema: z.ZodType<T> | undefined, value: unknown, where: "params" | "query" | "body"): T {
  if (where === "query") rejectNulInQuery(value as Record<string, string | undefined>);
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // A malformed path id names nothing that exists: 404, as the API contract says.
  if (where === "params") throw new DomainError("not_found", "No such resource");
  throw new DomainError("validation_failed", `The request ${where} is invalid`, { errors: issuesToErrors(parsed.error) });
}

// Only routes that read a caller load auth (jose, the DB client): public and webhook functions start faster.
const loadAuth = () => import("./auth");
// Only idempotent routes load the key store.
const loadIdempotency = () => import("./idempotency");

/**
 * Middy answers on its own this long before Lambda would stop the function, so even a handler
 * that overran every budget gets a 503 problem instead of API Gateway's bare 5xx.
 */
const EARLY_TIMEOUT_MS = 250;

const requestIdOf = (event: APIGatewayProxyEventV2, context: Context) => event.requestContext?.requestId ?? context.awsRequestId;

/** Caching headers of a success answer: an `optional` route's depends on the token, so caches key on it. */
function cacheHeaders(schema: RouteSchema, event: APIGatewayProxyEventV2): Record<string, string> {
  if (schema.cacheSeconds === undefined) return {};
  if (schema.access !== "optional") return { "cache-control": cacheControl(schema.cacheSeconds, false) };
  return { "cache-control": cacheControl(schema.cacheSeconds, Boolean(event.headers?.authorization)), vary: "Authorization" };
}

const toReply = (result: unknown, status: number): Reply => (isReply(result) ? result : reply(status, result));

/** Wraps a route implementation in the shared stack, which applies the route's declaration. */
export function http<S extends RouteSchema>(schema: S, impl: (req: HttpRequest<S>) => Promise<unknown>) {
  const { access } = schema;
  const routeKey = `${schema.method} ${schema.path}`;
  assertConfigured(schema);

  const jsonBody = httpJsonBodyParser();
  const stack = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
    timeoutEarlyInMillis: EARLY_TIMEOUT_MS,
    timeoutEarlyResponse: () => {
      throw new DeadlineExceeded("the request");
    },
  })
    .use(traceInvocations())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(httpHeaderNormalizer())
    .use({
      before: async (request) => {
        logger.appendKeys({ requestId: requestIdOf(request.event, request.context), route: routeKey });
        const hasBody = request.event.body !== undefined && request.event.body !== "";
        if (schema.body && (hasBody || !schema.bodyOptional)) await jsonBody.before?.(request as never);
      },
      onError: async (request) => {
        const requestId = requestIdOf(request.event, request.context);
        const problem = toProblem(request.error, requestId);
        if (problem.status >= 500) logger.error("Unhandled error", { error: request.error as Error });
        else logger.info("Request rejected", { code: problem.code, status: problem.status });
        request.response = problemResponse(problem, requestId);
      },
    })
    // Every call out below takes its budget from the time this invocation has left.
    .handler((event, context) => withContextDeadline(context, () => handle(event, context)));
  // The contract it serves, so a test can check each handler against the manifest entry naming it.
  return Object.assign(stack, { route: schema });

  async function handle(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
    const requestId = requestIdOf(event, context);
    const headers = event.headers ?? {};
    if (schema.idempotency) {
      const key = headers["idempotency-key"];
      if (!key || key.length > 255) throw new DomainError("idempotency_key_required", "Send an Idempotency-Key header of 1–255 characters");
    }
    const actor =
      access === "public" || access === "stripe"
        ? undefined
        : await (await loadAuth()).authenticate(event as APIGatewayProxyEventV2WithJWTAuthorizer, access);
    const req: HttpRequest<S> = {
      params: validate(schema.params, event.pathParameters ?? {}, "params") as Params<S>,
      query: validate(schema.query, event.queryStringParameters ?? {}, "query") as Query<S>,
      body: (event.body === undefined && schema.bodyOptional ? undefined : validate(schema.body, event.body, "body")) as Body<S>,
      idempotency: undefined as HttpRequest<S>["idempotency"],
      actor,
      headers,
      requestId,
      sourceIp: event.requestContext?.http?.sourceIp,
      userAgent: headers["user-agent"],
      event,
    };
    const success = schema.successStatus ?? 200;
    const scope = schema.idempotency;
    const {
      status,
      body,
      headers: extra,
      raw,
      isBase64Encoded,
    } = scope
      ? await (
          await loadIdempotency()
        ).idempotent(req, scope, async (key) => toReply(await impl({ ...req, idempotency: key as HttpRequest<S>["idempotency"] }), success))
      : toReply(await impl(req), success);
    return {
      statusCode: status,
      headers: {
        "content-type": "application/json",
        "x-request-id": requestId,
        ...(status < 300 ? cacheHeaders(schema, event) : {}),
        ...extra,
      },
      body: raw ? (body as string) : JSON.stringify(body),
      ...(isBase64Encoded ? { isBase64Encoded: true } : {}),
    };
  }
}

/** The authenticated caller; for routes whose access guarantees one. */
export function requireActor(actor: Actor | undefined): Actor {
  if (!actor) throw new DomainError("unauthorized", "A valid bearer token is required");
  return actor;
}
