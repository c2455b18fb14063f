// Every answer a route can give, for the OpenAPI document: its success, its declared extra answers,
// and the problems its manifest entry and schema imply (path ids, input, access, idempotency, resources).
import type { ErrorCode } from "@evently/core/errors";
import type { RouteSchema } from "../api/route-schema";
import { cacheControl } from "../manifest";
import { statusFor } from "./problem";

type JsonSchema = Record<string, unknown>;

/** Problem codes answered outside the domain error map: by the middy stack, the gateway or the catch-all. */
const OTHER_CODES = {
  bad_request: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
  service_unavailable: 503,
} as const;
type ProblemCode = ErrorCode | keyof typeof OTHER_CODES;

const statusOf = (code: ProblemCode): number =>
  code in OTHER_CODES ? OTHER_CODES[code as keyof typeof OTHER_CODES] : statusFor(code as ErrorCode);

/** The problem codes a route can answer: implied by its declaration, plus the ones it lists. */
export function problemCodes(route: RouteSchema): ProblemCode[] {
  const codes = new Set<ProblemCode>(["internal_error", "service_unavailable"]);
  const add = (...more: ProblemCode[]) => more.forEach((c) => codes.add(c));
  if (route.params) add("not_found");
  if (route.query || route.body) add("validation_failed");
  // A body is parsed as JSON (400 when malformed, 415 when not JSON); the gateway caps its size.
  if (route.body) add("bad_request", "unsupported_media_type");
  if (route.body || route.access === "stripe") add("payload_too_large");
  if (route.access !== "public" && route.access !== "stripe") add("unauthorized");
  if (route.access === "organizer" || route.access === "admin") add("forbidden");
  if (route.idempotency) add("idempotency_key_required", "idempotency_key_in_progress", "idempotency_key_reused");
  if (route.resources.includes("stripe-key")) add("payment_provider_error");
  add(...(route.problems ?? []));
  return [...codes];
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** What API Gateway itself answers (a rejected token, a function out of time): not a problem body. */
export const GATEWAY_MESSAGE: JsonSchema = {
  type: "object",
  description: "API Gateway's own answer: a token its authorizer rejected (401) or a function that ran out of time (503)",
  properties: { message: { type: "string" } },
  required: ["message"],
};

/** The gateway answers these statuses itself on every route it guards or runs. */
const gatewayAnswers = (route: RouteSchema, status: number) => status === 503 || (status === 401 && route.access !== "optional");

/** The caching headers of a success answer, for a route that declares `cacheSeconds`. */
function cacheHeaders(route: RouteSchema): JsonSchema {
  if (route.cacheSeconds === undefined) return {};
  const shared = cacheControl(route.cacheSeconds, false);
  if (route.access !== "optional") {
    const description = `Any cache may keep this answer ${route.cacheSeconds} s`;
    return { headers: { "Cache-Control": { description, schema: { type: "string", const: shared } } } };
  }
  const mine = cacheControl(route.cacheSeconds, true);
  return {
    headers: {
      "Cache-Control": {
        description: `\`${shared}\` without a token; \`${mine}\` with one (the answer is then the caller's own)`,
        schema: { type: "string", enum: [shared, mine] },
      },
      Vary: { description: "Caches keep anonymous answers apart from others", schema: { type: "string", const: "Authorization" } },
    },
  };
}

/**
 * The `responses` object of one operation. `toSchema` turns a zod schema into a JSON Schema whose
 * shared parts are components; `success` is the documented success answer.
 */
export function operationResponses(route: RouteSchema, toSchema: (s: NonNullable<RouteSchema["response"]>) => JsonSchema) {
  const responses: Record<string, JsonSchema> = {};
  const json = (s: RouteSchema["response"]) => (s ? { content: { "application/json": { schema: toSchema(s) } } } : {});
  const success = route.responseJsonSchema
    ? { content: { "application/json": { schema: { ...route.responseJsonSchema } } } }
    : route.contentType && route.response
      ? { content: { [route.contentType]: { schema: toSchema(route.response) } } }
      : json(route.response);
  responses[String(route.successStatus ?? 200)] = { description: "Success", ...cacheHeaders(route), ...success };
  for (const [status, s] of Object.entries(route.responses ?? {})) responses[status] = { description: "Also a success", ...json(s) };

  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of problemCodes(route)) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (responses[String(status)]) continue; // a declared answer (e.g. /health's 503) replaces the problem
    const problem = { allOf: [ref("Problem"), { properties: { code: { enum: codes.sort() } } }] };
    responses[String(status)] = {
      description: `Problem: ${codes.map((c) => `\`${c}\``).join(", ")}`,
      content: {
        "application/problem+json": { schema: problem },
        ...(gatewayAnswers(route, status) ? { "application/json": { schema: ref("GatewayMessage") } } : {}),
      },
    };
  }
  return responses;
}
