// Webhooks stack: the SQS queue between Stripe ingest and the processor, its dead-letter queue and the consumer Lambda.
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { dependsOn, use, type Function as SstFunction, type StackContext } from "sst/constructs";
import { consumerQueue } from "./consumer-queue";
import { Alerts } from "./alerts";
import { WEBHOOK_CONSUMER, WEBHOOK_MAX_RECEIVE_COUNT, WEBHOOK_VISIBILITY_SECONDS } from "./contracts";
import { Database } from "./database";
import { Mail } from "./mail";
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
  const deps = {
    network: use(Network),
    database: use(Database),
    secrets: use(Secrets),
    taskQueue: use(ProviderTasks).queue,
    mailQueue: use(Mail).queue,
  };
  const { topic } = use(Alerts);
  dependsOn(Migrations);
  const settings = stageSettings(app.stage);

  // Bounded so a Stripe burst cannot take more proxy connections than the pool allows.
  const { queue, deadLetterQueue, consumer, queueUrl, queueArn } = consumerQueue(stack, {
    consumer: WEBHOOK_CONSUMER,
    deps,
    topic,
    id: "Webhook",
    visibilitySeconds: WEBHOOK_VISIBILITY_SECONDS,
    maxReceiveCount: WEBHOOK_MAX_RECEIVE_COUNT,
    maxConcurrency: settings.webhookConsumerMaxConcurrency,
    // Prod reserves the consumer's ceiling so an API flood cannot starve it (stage.ts).
    reserve: Boolean(settings.reservedConcurrency),
  });

  exportForConsumers(stack, [queueUrl, queueArn]);
  stack.addOutputs({ WebhookQueueUrl: queueUrl, WebhookDeadLetterQueueUrl: deadLetterQueue.queueUrl });

  return { queue, deadLetterQueue, consumer };
}
