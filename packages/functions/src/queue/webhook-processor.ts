// SQS consumer of the Stripe webhook queue (Lambda in AWS, the local pg-boss queue locally): a
// batch's records are verified Stripe events handed together to the core, which claims them in the
// webhook inbox in the same transaction as their effects (a redelivery is a no-op).
import { processStripeBatch } from "@evently/core/webhooks";
import { WEBHOOK_CONSUMER } from "../../../../infra/contracts";
import { assertConfigured } from "../lib/config";
import { webhookDeps } from "../lib/deps";
import "../lib/mail"; // mail written by an event's effect is nudged to the sender after commit
import { createProcessor, type BatchHandler } from "./webhook-batch";

export { createProcessor, parseStripeEvent, type BatchHandler, type StripeEventEnvelope, type WebhookResult } from "./webhook-batch";

/**
 * One batch, one core call. An event whose write failed comes back failed, so its record lands in
 * batchItemFailures and SQS redelivers it (after 5 receives: the DLQ); a duplicate comes back with
 * `duplicate: true` and is acknowledged. Dependencies are built once per container.
 */
export const defaultBatchHandler: BatchHandler = async (events) => processStripeBatch(await webhookDeps(), events);

/** The Lambda entry point (infra: SQS event source with reportBatchItemFailures). */
assertConfigured(WEBHOOK_CONSUMER);
export const handler = createProcessor(defaultBatchHandler);
