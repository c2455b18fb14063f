// POST /webhooks/stripe: verify Stripe's signature over the raw body, queue the event, answer 200.
// Invariant 3: nothing here touches the database; the webhook processor does the work from the queue.
import Stripe from "stripe";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { DomainError } from "@evently/core/errors";
import { stripeWebhook, type StripeWebhookReceived } from "../../api/webhooks";
import { http } from "../../lib/http";
import { logger } from "../../lib/observability";
import { getWebhookQueue } from "../../lib/queue";
import { getSecretValue } from "../../lib/secrets";

const rejected = () => new DomainError("invalid_signature", "The Stripe-Signature header is missing or does not match the request body");

/** The exact bytes Stripe signed: API Gateway base64-encodes some content types. */
function rawBody(event: APIGatewayProxyEventV2): Buffer | undefined {
  if (event.body === undefined || event.body === "") return undefined;
  return Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8");
}

export const handler = http(stripeWebhook, async ({ event, headers }): Promise<StripeWebhookReceived> => {
  const body = rawBody(event);
  const signature = headers["stripe-signature"]; // the stack lower-cases header names
  if (!body || !signature) throw rejected();

  // Outside the try: a secret that cannot be read is our fault (500, Stripe retries), not a bad signature.
  const secret = await getSecretValue("webhook-secret");
  let verified: { id: string; type: string };
  try {
    // Checks the HMAC and that the signed timestamp is at most 300 s old (replays), then parses.
    verified = await Stripe.webhooks.constructEventAsync(body, signature, secret);
  } catch (error) {
    logger.warn("Stripe webhook rejected", { reason: error instanceof Error ? error.message : String(error) });
    throw rejected();
  }

  // The processor parses the body itself; queueing the signed text keeps it byte-for-byte.
  await getWebhookQueue().send({ body: body.toString("utf8"), attributes: { eventId: verified.id, type: verified.type } });
  logger.info("Stripe webhook queued", { eventId: verified.id, type: verified.type });
  return { received: true };
});
