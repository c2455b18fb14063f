// SQS consumer of the mail queue (Lambda in AWS, the local pg-boss queue locally): each record is
// an outbox id; the core sender claims, renders, sends and records it. A record whose row is held
// by another delivery, or whose send failed, is reported in batchItemFailures and comes back later.
import middy from "@middy/core";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { sendOutboxMessage, type SenderDeps } from "@evently/core/mail/sender";
import { withContextDeadline } from "@evently/core/shared/deadline";
import { getDb } from "../lib/db";
import { getMailer, mailLinkBase } from "../lib/mail";
import { CONSUMER_DIMENSION, METRICS_NAMESPACE, MailMetric, SERVICE_NAME } from "../lib/metric-names";
import { logger } from "../lib/observability";
// order_confirmed signs its tickets' codes when it is sent: the key loader must be registered here.
import "../lib/ticket-keys";

const mailMetrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  defaultDimensions: { [CONSUMER_DIMENSION]: "mail" },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tests may add hooks (e.g. a crash between send and record) or their own mailer. */
export function createMailSender(extra: Partial<SenderDeps> = {}) {
  async function handleRecord(record: SQSRecord) {
    const id = record.body.trim();
    // A body that is not an id can never succeed: acknowledge it instead of cycling it to the DLQ.
    if (!UUID.test(id)) return logger.error("Mail queue message is not an outbox id", { messageId: record.messageId });
    try {
      const deps = { db: await getDb(), baseUrl: mailLinkBase(), ...extra, mailer: extra.mailer ?? (await getMailer()) };
      const result = await sendOutboxMessage(deps, id);
      if (result.outcome === "sent") mailMetrics.addMetric(MailMetric.sent, MetricUnit.Count, 1);
      if (result.outcome === "failed for good") mailMetrics.addMetric(MailMetric.failed, MetricUnit.Count, 1);
      if (result.possibleDuplicate) {
        // SES cannot dedupe: the previous attempt may have delivered. Counted, alarmed on volume.
        mailMetrics.addMetric(MailMetric.possibleDuplicate, MetricUnit.Count, 1);
        logger.warn("Mail resent after an unrecorded attempt: possible duplicate", { outboxId: id });
      }
      logger.info("Mail handled", { outboxId: id, outcome: result.outcome });
    } catch (error) {
      logger.warn("Mail not sent this time", { outboxId: id, error: error as Error });
      throw error;
    }
  }

  return (
    middy<SQSEvent, SQSBatchResponse>()
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(mailMetrics))
      // Under the invocation's deadline: each SES call takes its time limit from what is left.
      .handler(async (event: SQSEvent, context: Context) =>
        withContextDeadline(context, () => processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), { context })),
      )
  );
}

/** The Lambda entry point (infra: SQS event source with reportBatchItemFailures). */
export const handler = createMailSender();
