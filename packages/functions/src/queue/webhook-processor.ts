// SQS consumer of the Stripe webhook queue (Lambda in AWS, the local pg-boss queue locally): each
// record is a verified Stripe event handed to the core dispatcher, which records it in the
// webhook inbox in the same transaction as its effect (a redelivery is a no-op).
import { processStripeEvent } from "@evently/core/webhooks";
import { WEBHOOK_CONSUMER } from "../../../../infra/contracts";
import { assertConfigured } from "../lib/config";
import { webhookDeps } from "../lib/deps";
import "../lib/mail"; // mail written by an event's effect is nudged to the sender after commit
import { createProcessor, type RecordHandler } from "./webhook-batch";

export { createProcessor, parseStripeEvent, type RecordHandler, type StripeEventEnvelope, type WebhookResult } from "./webhook-batch";

/**
 * One event, one dispatcher call. A failed write rejects, so the record lands in
 * batchItemFailures and SQS redelivers it (after 5 receives: the DLQ); a duplicate resolves with
 * `duplicate: true` and is acknowledged. Dependencies are built once per container.
 */
export const defaultRecordHandler: RecordHandler = async (event) => processStripeEvent(await webhookDeps(), event);

/** The Lambda entry point (infra: SQS event source with reportBatchItemFailures). */
assertConfigured(WEBHOOK_CONSUMER);
export const handler = createProcessor(defaultRecordHandler);
