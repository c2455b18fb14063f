// ProviderTasks stack: the queue that hands committed provider work (PaymentIntents, cancels,
// refunds) to its worker Lambda at once; the provider-tasks job sweeps whatever it misses.
import { Duration } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Function as SstFunction, Queue, dependsOn, use, type StackContext } from "sst/constructs";
import { handlerPath } from "@evently/functions/manifest";
import { accessProps, grantAccess } from "./access";
import { Alerts, watchFunction } from "./alerts";
import { TASK_BATCH_SIZE, TASK_CONSUMER, TASK_MAX_RECEIVE_COUNT, TASK_VISIBILITY_SECONDS } from "./contracts";
import { Database } from "./database";
import { Migrations } from "./migrations";
import { Network } from "./network";
import { Secrets } from "./secrets";
import { exportForConsumers, stageSettings } from "./stage";

export interface ProviderTasksOutputs {
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  consumer: SstFunction;
}

export function ProviderTasks({ app, stack }: StackContext): ProviderTasksOutputs {
  const deps = { network: use(Network), database: use(Database), secrets: use(Secrets) };
  const { topic } = use(Alerts);
  dependsOn(Migrations);
  const settings = stageSettings(app.stage);

  const deadLetterQueue = new sqs.Queue(stack, "ProviderTaskDeadLetterQueue", {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  const queue = new Queue(stack, "ProviderTaskQueue", {
    cdk: {
      queue: {
        visibilityTimeout: Duration.seconds(TASK_VISIBILITY_SECONDS),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: TASK_MAX_RECEIVE_COUNT },
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      },
    },
    consumer: {
      function: {
        handler: handlerPath(TASK_CONSUMER.handler),
        description: `${TASK_CONSUMER.name} (${TASK_CONSUMER.handler})`,
        timeout: TASK_CONSUMER.timeoutSeconds,
        ...accessProps(TASK_CONSUMER.resources, deps),
      },
      cdk: {
        eventSource: {
          batchSize: TASK_BATCH_SIZE,
          reportBatchItemFailures: true,
          // The same bound as the webhook consumer: both share the database proxy's connections.
          maxConcurrency: settings.webhookConsumerMaxConcurrency,
        },
      },
    },
  });

  const consumer = queue.consumerFunction;
  if (!(consumer instanceof SstFunction)) throw new Error("Provider task queue has no SST consumer function");
  grantAccess(consumer, TASK_CONSUMER.resources, deps);
  watchFunction(consumer, TASK_CONSUMER.name, topic, TASK_CONSUMER.timeoutSeconds);

  exportForConsumers(stack, [queue.queueUrl, queue.queueArn]);
  stack.addOutputs({ ProviderTaskQueueUrl: queue.queueUrl, ProviderTaskDeadLetterQueueUrl: deadLetterQueue.queueUrl });
  return { queue: queue.cdk.queue, deadLetterQueue, consumer };
}
