// The queue consumer manifest: infra (webhooks.ts, provider-tasks.ts) deploys it and the local queue invokes it with the same limits.
import type { ConsumerDef } from "./manifest";

/**
 * Stripe webhook events, ten per batch: the provider reads (at most one PaymentIntent re-read per
 * event) run concurrently, then one short transaction applies the batch. Ten keeps that
 * transaction's row locks brief and a failed batch's event-by-event retry well inside 30 s; the
 * SQS visibility timeout is six times this.
 */
export const webhookConsumer = {
  name: "webhook-processor",
  handler: "queue/webhook-processor",
  // task-queue: settlement hands refunds and intent work to the provider-task worker; mail-queue:
  // the receipts and refund mail it writes are nudged to the sender at commit, not left for the relay.
  resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue", "metrics"],
  timeoutSeconds: 30,
  batchSize: 10,
} as const satisfies ConsumerDef;

/**
 * Provider tasks (PaymentIntents, cancels, refunds) as soon as they commit: ten messages of up
 * to 100 task ids each, every task one provider call under its own budget.
 */
export const taskConsumer = {
  name: "provider-task-worker",
  handler: "queue/provider-tasks",
  // mail-queue: a settled refund or cancellation mails its buyer, nudged at commit.
  resources: ["db", "stripe-key", "data-key", "mail-queue", "metrics"],
  timeoutSeconds: 30,
  batchSize: 10,
} as const satisfies ConsumerDef;

export const consumers: readonly ConsumerDef[] = [webhookConsumer, taskConsumer];
