// The webhook processor's batch mechanics: each SQS record is one Stripe event, handled on its own;
// a failed record is reported in batchItemFailures (SQS redelivers it, then dead-letters it) while
// the rest of the batch completes. The event handling itself is injected (see webhook-processor.ts).
import middy from "@middy/core";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { withContextDeadline } from "@evently/core/shared/deadline";
import { CONSUMER_DIMENSION, METRICS_NAMESPACE, SERVICE_NAME, WebhookMetric } from "../lib/metric-names";
import { logger, TRACE_OPTIONS, tracer } from "../lib/observability";

/** The part of a Stripe event the core dispatcher reads. */
export interface StripeEventEnvelope {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export interface WebhookResult {
  /** Short outcome string for the log, e.g. `payment_completed`. */
  outcome: string;
  duplicate: boolean;
}

export type RecordHandler = (event: StripeEventEnvelope, record: SQSRecord) => Promise<WebhookResult>;

// Its own instance so the `consumer` dimension never leaks onto other functions' metrics.
export const webhookMetrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  defaultDimensions: { [CONSUMER_DIMENSION]: "stripe-webhooks" },
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The queued body is the raw, already verified webhook JSON; anything else is a poison message. */
export function parseStripeEvent(body: string): StripeEventEnvelope {
  const event: unknown = JSON.parse(body);
  if (
    !isObject(event) ||
    typeof event.id !== "string" ||
    typeof event.type !== "string" ||
    typeof event.created !== "number" ||
    !isObject(event.data) ||
    !isObject(event.data.object)
  ) {
    throw new Error("Queued message is not a Stripe event");
  }
  return event as unknown as StripeEventEnvelope;
}

export function createProcessor(handleEvent: RecordHandler) {
  async function handleRecord(record: SQSRecord): Promise<WebhookResult> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount);
    const context = { messageId: record.messageId, eventId: record.messageAttributes.eventId?.stringValue, receiveCount };
    try {
      const event = parseStripeEvent(record.body);
      const result = await handleEvent(event, record);
      webhookMetrics.addMetric(result.duplicate ? WebhookMetric.duplicate : WebhookMetric.processed, MetricUnit.Count, 1);
      logger.info("Stripe event handled", {
        ...context,
        eventId: event.id,
        type: event.type,
        outcome: result.outcome,
        duplicate: result.duplicate,
      });
      return result;
    } catch (error) {
      webhookMetrics.addMetric(WebhookMetric.failed, MetricUnit.Count, 1);
      logger.error("Stripe event failed", { ...context, error: error as Error });
      throw error; // the batch processor reports this record in batchItemFailures
    }
  }

  return (
    middy<SQSEvent, SQSBatchResponse>()
      .use(captureLambdaHandler(tracer, TRACE_OPTIONS))
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(webhookMetrics))
      // Every record's calls out take their budgets from the batch's remaining time.
      .handler((event: SQSEvent, context: Context) =>
        withContextDeadline(context, () => {
          // A processor per invocation: it keeps per-batch state, and locally batches run concurrently.
          const processor = new BatchProcessor(EventType.SQS);
          return processPartialResponse(event, handleRecord, processor, { context });
        }),
      )
  );
}
