// Stripe-shaped API errors: the status and body the real API sends, so the SDK picks the right error class.
import type Stripe from "stripe";

/** The SDK's raw error, with the types this sandbox answers and its own object views embedded. */
export type StripeErrorBody = Omit<Stripe.StripeRawError, "type" | "message" | "payment_intent" | "payment_method"> & {
  type: "invalid_request_error" | "card_error" | "idempotency_error" | "api_error";
  message: string;
  payment_intent?: unknown;
  payment_method?: unknown;
};

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    // Stripe does not save a result for requests rejected before the endpoint ran (bad params,
    // unknown ids), so a retry with the same Idempotency-Key re-executes instead of replaying.
    readonly replayable = true,
  ) {
    super(body.message);
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`;
}

export function invalidRequest(
  message: string,
  opts: { code?: string; param?: string; replayable?: boolean; status?: number } = {},
): StripeApiError {
  const body: StripeErrorBody = { type: "invalid_request_error", message };
  if (opts.code) {
    body.code = opts.code;
    body.doc_url = docUrl(opts.code);
  }
  if (opts.param) body.param = opts.param;
  return new StripeApiError(opts.status ?? 400, body, opts.replayable ?? false);
}

const RESOURCE_NAMES: Record<string, string> = {
  pi: "payment_intent",
  ch: "charge",
  re: "refund",
  pm: "PaymentMethod",
  dp: "dispute",
  evt: "event",
};

export function resourceMissing(id: string, param: string, status = 404): StripeApiError {
  const name = RESOURCE_NAMES[id.split("_")[0] ?? ""] ?? "object";
  return invalidRequest(`No such ${name}: '${id}'`, { code: "resource_missing", param, status });
}

export function unexpectedState(message: string): StripeApiError {
  return invalidRequest(message, { code: "payment_intent_unexpected_state", replayable: true });
}

export function idempotencyError(message: string): StripeApiError {
  return new StripeApiError(400, { type: "idempotency_error", message }, false);
}

export function authError(message: string): StripeApiError {
  return new StripeApiError(401, { type: "invalid_request_error", message }, false);
}
