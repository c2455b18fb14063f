// Builders for the webhook tests: Stripe events signed like Stripe signs them, API Gateway v2
// events as API Gateway builds them, and a queue that records what it was sent.
import Stripe from "stripe";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { Queue, QueueMessage } from "@evently/core/ports/queue";
import { lambdaContext } from "@evently/local/server/apigw-event";

const SECRET = "whsec_test"; // vitest.config.ts sets STRIPE_WEBHOOK_SECRET to this

let counter = 0;
/** A Stripe event as Stripe sends it: pretty-printed JSON, which must reach the queue unchanged. */
export function stripeEventJson(type = "payment_intent.succeeded", id = `evt_test_${Date.now()}_${++counter}`): string {
  const event = {
    id,
    object: "event",
    api_version: "2025-01-27",
    created: Math.floor(Date.now() / 1000),
    type,
    livemode: false,
    data: { object: { id: `pi_${counter}`, object: "payment_intent", amount: 2500, currency: "usd", status: "succeeded" } },
  };
  return JSON.stringify(event, null, 2);
}

export const sign = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
  Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? SECRET,
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });

export function webhookRequest(body: string | undefined, headers: Record<string, string>, isBase64Encoded = false): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: "POST /webhooks/stripe",
    rawPath: "/webhooks/stripe",
    rawQueryString: "",
    headers: {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
      ...headers,
    },
    requestContext: {
      accountId: "000000000000",
      apiId: "test",
      domainName: "api.test",
      domainPrefix: "api",
      http: { method: "POST", path: "/webhooks/stripe", protocol: "HTTP/1.1", sourceIp: "54.187.174.169", userAgent: "Stripe/1.0" },
      requestId: `req-${now}-${++counter}`,
      routeKey: "POST /webhooks/stripe",
      stage: "$default",
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded,
  };
}

export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
export const invoke = (handler: Handler, event: APIGatewayProxyEventV2) => handler(event, lambdaContext("webhook-ingest"));

export function recordingQueue(): Queue & { sent: QueueMessage[]; failWith?: Error } {
  const queue: Queue & { sent: QueueMessage[]; failWith?: Error } = {
    sent: [],
    async send(message) {
      if (queue.failWith) throw queue.failWith;
      queue.sent.push(message);
    },
  };
  return queue;
}
