// The one place that maps errors to HTTP: RFC 9457 problem responses with the API's stable codes.
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { databaseFault } from "@evently/core/db/faults";
import { DomainError, type ErrorCode } from "@evently/core/errors";

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  event_full: 409,
  already_registered: 409,
  not_registered: 409,
  sold_out: 409,
  not_on_sale: 409,
  capacity_below_taken: 409,
  quantity_below_taken: 409,
  invalid_state: 409,
  invalid_quantity: 422,
  unknown_ticket_type: 422,
  invalid_promo_code: 422,
  cancellation_closed: 409,
  not_active: 409,
  refund_exceeds_payment: 409,
  idempotency_key_required: 400,
  idempotency_key_reused: 422,
  idempotency_key_in_progress: 409,
  payment_provider_error: 502,
  amount_not_chargeable: 422,
  service_unavailable: 503,
  invalid_signature: 400,
  event_ended: 409,
  not_waitlisted: 409,
  ticket_void: 409,
  invalid_ticket_code: 422,
  unknown_user: 422,
};

/**
 * How long a client should wait before retrying a failure that is not its fault: a database
 * failover or a lock queue clears in seconds; a provider outage gets a little longer.
 */
export const RETRY_AFTER_SECONDS: Partial<Record<number, number>> = { 502: 5, 503: 2 };

const TITLE: Partial<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  [extra: string]: unknown;
}

export const statusFor = (code: ErrorCode): number => STATUS[code];

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `https://evently.dev/problems/${code}`, title: TITLE[status] ?? "Error", status, detail, code, ...extra };
}

/** Middy's own HTTP errors (e.g. from the JSON body parser) carry `statusCode` and `expose`. */
interface HttpLikeError {
  statusCode: number;
  expose?: boolean;
  message: string;
}
const isHttpLike = (e: unknown): e is HttpLikeError =>
  typeof e === "object" && e !== null && typeof (e as HttpLikeError).statusCode === "number";

const unavailable = (requestId: string) =>
  problem(503, "service_unavailable", "The service is temporarily unavailable; retry the request shortly", { requestId });

/**
 * Turns any thrown value into a problem. Known errors keep their code; a database that is
 * unreachable or timed out, and our own time running out, are 503; a value the database refuses
 * as data (SQLSTATE class 22) is the caller's 400; anything else becomes a bare 500. A 5xx body
 * carries our own words and the request id only: the real error goes to the log.
 */
export function toProblem(error: unknown, requestId: string): Problem {
  if (error instanceof DomainError) {
    const status = STATUS[error.code];
    return problem(status, error.code, error.message, status >= 500 ? { requestId } : error.extra);
  }
  if (isHttpLike(error) && error.statusCode < 500 && error.expose !== false) {
    if (/malformed JSON/i.test(error.message)) {
      return problem(400, "validation_failed", "The request body is not valid JSON", { errors: [{ path: "", message: "Invalid JSON" }] });
    }
    if (error.statusCode === 415) return problem(415, "unsupported_media_type", "Send the body as application/json");
    return problem(error.statusCode, "bad_request", error.message);
  }
  const fault = databaseFault(error);
  if (fault === "unavailable") return unavailable(requestId);
  if (fault === "data") {
    return problem(400, "validation_failed", "A value in the request cannot be stored", {
      errors: [{ path: "", message: "Invalid value" }],
    });
  }
  return {
    type: "about:blank",
    title: TITLE[500] ?? "Internal Server Error",
    status: 500,
    detail: "An unexpected error occurred",
    code: "internal_error",
    requestId,
  };
}

export function problemResponse(p: Problem, requestId: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: p.status,
    headers: {
      "content-type": "application/problem+json",
      "x-request-id": requestId,
      ...(RETRY_AFTER_SECONDS[p.status] ? { "retry-after": String(RETRY_AFTER_SECONDS[p.status]) } : {}),
    },
    body: JSON.stringify(p),
  };
}
