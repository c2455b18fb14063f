// ProviderTasks stack: the queue that hands committed provider work (PaymentIntents, cancels,
// refunds) to its worker Lambda at once; the provider-tasks job sweeps whatever it misses.
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { dependsOn, use, type Function as SstFunction, type StackContext } from "sst/constructs";
import { consumerQueue } from "./consumer-queue";
import { Alerts } from "./alerts";
import { TASK_CONSUMER, TASK_MAX_RECEIVE_COUNT, TASK_VISIBILITY_SECONDS } from "./contracts";
import { Database } from "./database";
import { Mail } from "./mail";
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
  const deps = { network: use(Network), database: use(Database), secrets: use(Secrets), mailQueue: use(Mail).queue };
  const { topic } = use(Alerts);
  dependsOn(Migrations);
  const settings = stageSettings(app.stage);

  // The same bound as the webhook consumer: both share the database proxy's connections.
  const { queue, deadLetterQueue, consumer, queueUrl, queueArn } = consumerQueue(stack, {
    consumer: TASK_CONSUMER,
    deps,
    topic,
    id: "ProviderTask",
    visibilitySeconds: TASK_VISIBILITY_SECONDS,
    maxReceiveCount: TASK_MAX_RECEIVE_COUNT,
    maxConcurrency: settings.webhookConsumerMaxConcurrency,
    reserve: false,
  });

  exportForConsumers(stack, [queueUrl, queueArn]);
  stack.addOutputs({ ProviderTaskQueueUrl: queueUrl, ProviderTaskDeadLetterQueueUrl: deadLetterQueue.queueUrl });
  return { queue, deadLetterQueue, consumer };
}
