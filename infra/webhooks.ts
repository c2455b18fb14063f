// Webhooks stack: the SQS queue between Stripe ingest and the processor, its dead-letter queue and the consumer Lambda.
import { Duration } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Function as SstFunction, Queue, dependsOn, use, type StackContext } from "sst/constructs";
import { handlerPath } from "@evently/functions/manifest";
import { accessProps, grantAccess } from "./access";
import { Alerts, watchFunction } from "./alerts";
import { WEBHOOK_BATCH_SIZE, WEBHOOK_CONSUMER, WEBHOOK_MAX_RECEIVE_COUNT, WEBHOOK_VISIBILITY_SECONDS } from "./contracts";
import { Database } from "./database";
import { Migrations } from "./migrations";
import { Network } from "./network";
import { ProviderTasks } from "./provider-tasks";
import { Secrets } from "./secrets";
import { exportForConsumers, stageSettings } from "./stage";

export interface WebhooksOutputs {
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  consumer: SstFunction;
}

export function Webhooks({ app, stack }: StackContext): WebhooksOutputs {
  const deps = { network: use(Network), database: use(Database), secrets: use(Secrets), taskQueue: use(ProviderTasks).queue };
  const { topic } = use(Alerts);
  dependsOn(Migrations);
  const settings = stageSettings(app.stage);

  const deadLetterQueue = new sqs.Queue(stack, "WebhookDeadLetterQueue", {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });

  const queue = new Queue(stack, "WebhookQueue", {
    cdk: {
      queue: {
        visibilityTimeout: Duration.seconds(WEBHOOK_VISIBILITY_SECONDS),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: WEBHOOK_MAX_RECEIVE_COUNT },
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      },
    },
    consumer: {
      function: {
        handler: handlerPath(WEBHOOK_CONSUMER.handler),
        description: `${WEBHOOK_CONSUMER.name} (${WEBHOOK_CONSUMER.handler})`,
        timeout: WEBHOOK_CONSUMER.timeoutSeconds,
        // Prod reserves the consumer's ceiling so an API flood cannot starve it (stage.ts).
        ...(settings.reservedConcurrency ? { reservedConcurrentExecutions: settings.webhookConsumerMaxConcurrency } : {}),
        ...accessProps(WEBHOOK_CONSUMER.resources, deps),
      },
      cdk: {
        eventSource: {
          batchSize: WEBHOOK_BATCH_SIZE,
          // The processor answers with batchItemFailures, so one bad event does not replay nine good ones.
          reportBatchItemFailures: true,
          // Bounded so a Stripe burst cannot take more proxy connections than the pool allows.
          maxConcurrency: settings.webhookConsumerMaxConcurrency,
        },
      },
    },
  });

  const consumer = queue.consumerFunction;
  if (!(consumer instanceof SstFunction)) throw new Error("Webhook queue has no SST consumer function");
  grantAccess(consumer, WEBHOOK_CONSUMER.resources, deps);
  watchFunction(consumer, WEBHOOK_CONSUMER.name, topic, WEBHOOK_CONSUMER.timeoutSeconds);

  exportForConsumers(stack, [queue.queueUrl, queue.queueArn]);
  stack.addOutputs({ WebhookQueueUrl: queue.queueUrl, WebhookDeadLetterQueueUrl: deadLetterQueue.queueUrl });

  return { queue: queue.cdk.queue, deadLetterQueue, consumer };
}
