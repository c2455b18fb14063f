// The queue consumer manifest: infra/webhooks.ts deploys it and the local queue invokes it with the same limits.
import type { ConsumerDef } from "./manifest";

/**
 * Stripe webhook events, ten per batch, processed concurrently. Each event is one short
 * transaction and at most one provider read (a PaymentIntent re-read), so a batch fits well
 * inside 30 s; the SQS visibility timeout is six times this.
 */
export const webhookConsumer = {
  name: "webhook-processor",
  handler: "queue/webhook-processor",
  resources: ["db", "stripe-key", "data-key", "metrics"],
  timeoutSeconds: 30,
  batchSize: 10,
} as const satisfies ConsumerDef;

export const consumers: readonly ConsumerDef[] = [webhookConsumer];
