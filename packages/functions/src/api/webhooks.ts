// Contract of the Stripe webhook route. It has no `body` schema on purpose: the signature covers
// the exact bytes Stripe sent, so the handler reads the raw body instead of parsed JSON. No zod
// here either (type-only import): the ingest function's cold start should not load it.
import type { RouteSchema } from "./route-schema";
import { ROUTE_LIMITS } from "../manifest";

/** The 200 answer, sent only once the event is queued; Stripe reads nothing but the status. */
export interface StripeWebhookReceived {
  received: true;
}

/**
 * `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the
 * endpoint's signing secret; a timestamp older than 300 s is a replay.
 */
export const stripeWebhook = {
  method: "POST",
  path: "/webhooks/stripe",
  access: "stripe",
  resources: ["webhook-secret", "webhook-queue"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary:
    "Stripe webhook: verifies the Stripe-Signature header over the raw body (at most 300 s old), " +
    'queues the event and answers 200 {"received": true}; a missing or bad signature is 400 invalid_signature',
  tags: ["webhooks"],
  responseJsonSchema: { type: "object", properties: { received: { const: true } }, required: ["received"] },
  problems: ["invalid_signature"],
} satisfies RouteSchema;
