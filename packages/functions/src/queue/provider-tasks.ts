// SQS consumer of the provider-task queue (Lambda in AWS, the local pg-boss queue locally): each
// record names tasks to run now. A task that fails is rescheduled in its table row, not by SQS, so
// a record fails only when the tasks could not even be looked at (the database is down).
import middy from "@middy/core";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod";
import { runTask } from "@evently/core/payments/provider-tasks";
import { paymentsDeps } from "../lib/deps";
import { logger } from "../lib/observability";

const Message = z.object({ taskIds: z.array(z.uuid()).min(1).max(100) });

async function handleRecord(record: SQSRecord): Promise<void> {
  const { taskIds } = Message.parse(JSON.parse(record.body));
  const deps = await paymentsDeps();
  const results = await Promise.all(taskIds.map((id) => runTask(deps, id)));
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  logger.info("Provider tasks run", { messageId: record.messageId, ...counts });
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: SQSEvent, context: Context) =>
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), { context }),
  );
