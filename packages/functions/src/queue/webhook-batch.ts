// The webhook processor's batch mechanics: the records of one SQS batch are parsed, handed together
// to the batch handler (see webhook-processor.ts), and each record is then settled on its own result:
// logged, counted, and — when it failed or is not a Stripe event — reported in batchItemFailures
// (SQS redelivers it, then dead-letters it) while the rest of the batch is acknowledged.
import middy from "@middy/core";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { withContextDeadline } from "@evently/core/shared/deadline";
import { CONSUMER_DIMENSION, METRICS_NAMESPACE, SERVICE_NAME, WebhookMetric } from "../lib/metric-names";
import { logger, traceInvocations } from "../lib/observability";

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

export type RecordResult = { ok: true; result: WebhookResult } | { ok: false; error: unknown };

/** Handles a batch's events (with their records, same order); returns one result per event, in that order. */
export type BatchHandler = (events: StripeEventEnvelope[], records: SQSRecord[]) => Promise<RecordResult[]>;

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

/** Hands every parseable record to the batch handler at once; what cannot be parsed fails on its own. */
interface Settled {
  event?: StripeEventEnvelope;
  outcome: RecordResult;
}

async function handleBatch(records: SQSRecord[], handle: BatchHandler): Promise<Map<string, Settled>> {
  const results = new Map<string, Settled>();
  const parsed: Array<{ event: StripeEventEnvelope; record: SQSRecord }> = [];
  for (const record of records) {
    try {
      parsed.push({ event: parseStripeEvent(record.body), record });
    } catch (error) {
      results.set(record.messageId, { outcome: { ok: false, error } });
    }
  }
  if (parsed.length === 0) return results;
  let outcomes: RecordResult[];
  try {
    outcomes = await handle(
      parsed.map((p) => p.event),
      parsed.map((p) => p.record),
    );
    if (outcomes.length !== parsed.length) throw new Error(`The batch handler answered ${outcomes.length} of ${parsed.length} events`);
  } catch (error) {
    outcomes = parsed.map(() => ({ ok: false, error }));
  }
  parsed.forEach((p, i) => results.set(p.record.messageId, { event: p.event, outcome: outcomes[i]! }));
  return results;
}

export function createProcessor(handle: BatchHandler) {
  /** Settles one record on its batch result: a failure throws, so the batch processor reports it. */
  async function settleRecord(record: SQSRecord, settled: Settled | undefined): Promise<WebhookResult> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount);
    const context = { messageId: record.messageId, eventId: record.messageAttributes.eventId?.stringValue, receiveCount };
    const outcome = settled?.outcome;
    if (settled?.event && outcome?.ok) {
      const { event } = settled;
      const { result } = outcome;
      webhookMetrics.addMetric(result.duplicate ? WebhookMetric.duplicate : WebhookMetric.processed, MetricUnit.Count, 1);
      logger.info("Stripe event handled", {
        ...context,
        eventId: event.id,
        type: event.type,
        outcome: result.outcome,
        duplicate: result.duplicate,
      });
      return result;
    }
    const error = outcome && !outcome.ok ? outcome.error : new Error("The record got no result");
    webhookMetrics.addMetric(WebhookMetric.failed, MetricUnit.Count, 1);
    logger.error("Stripe event failed", { ...context, error: error as Error });
    throw error; // the batch processor reports this record in batchItemFailures
  }

  return (
    middy<SQSEvent, SQSBatchResponse>()
      .use(traceInvocations())
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(webhookMetrics))
      // The batch's calls out take their budgets from the invocation's remaining time.
      .handler((event: SQSEvent, context: Context) =>
        withContextDeadline(context, async () => {
          const results = await handleBatch(event.Records, handle);
          // A processor per invocation: it keeps per-batch state, and locally batches run concurrently.
          const processor = new BatchProcessor(EventType.SQS);
          return processPartialResponse(event, (record: SQSRecord) => settleRecord(record, results.get(record.messageId)), processor, {
            context,
          });
        }),
      )
  );
}
