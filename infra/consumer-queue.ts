// A queue with its dead-letter queue and its consumer Lambda, built from a consumer manifest entry:
// what the webhook and provider-task stacks share (encrypted, TLS only, partial batch failures,
// bounded concurrency, the function's grants and alarms).
import { Duration, type Stack } from "aws-cdk-lib";
import type * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Function as SstFunction, Queue } from "sst/constructs";
import { handlerPath, type ConsumerDef } from "@evently/functions/manifest";
import { accessProps, grantAccess, type AccessDeps } from "./access";
import { watchFunction } from "./alerts";

export interface ConsumerQueueProps {
  consumer: ConsumerDef;
  deps: AccessDeps;
  topic: sns.ITopic;
  /** CDK id prefix, e.g. "Webhook" → WebhookQueue, WebhookDeadLetterQueue. */
  id: string;
  visibilitySeconds: number;
  maxReceiveCount: number;
  /** Concurrent batches at most: each holds database connections. */
  maxConcurrency: number;
  /** Reserve that concurrency for the consumer (prod), so an API flood cannot starve it. */
  reserve: boolean;
}

export interface ConsumerQueue {
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  consumer: SstFunction;
  queueUrl: string;
  queueArn: string;
}

export function consumerQueue(stack: Stack, p: ConsumerQueueProps): ConsumerQueue {
  const deadLetterQueue = new sqs.Queue(stack, `${p.id}DeadLetterQueue`, {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  const queue = new Queue(stack, `${p.id}Queue`, {
    cdk: {
      queue: {
        visibilityTimeout: Duration.seconds(p.visibilitySeconds),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: p.maxReceiveCount },
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      },
    },
    consumer: {
      function: {
        handler: handlerPath(p.consumer.handler),
        description: `${p.consumer.name} (${p.consumer.handler})`,
        timeout: p.consumer.timeoutSeconds,
        ...(p.reserve ? { reservedConcurrentExecutions: p.maxConcurrency } : {}),
        ...accessProps(p.consumer.resources, p.deps),
      },
      cdk: {
        eventSource: {
          batchSize: p.consumer.batchSize,
          // The consumer answers with batchItemFailures, so one bad record does not replay the others.
          reportBatchItemFailures: true,
          maxConcurrency: p.maxConcurrency,
        },
      },
    },
  });
  const consumer = queue.consumerFunction;
  if (!(consumer instanceof SstFunction)) throw new Error(`${p.id} queue has no SST consumer function`);
  grantAccess(consumer, p.consumer.resources, p.deps);
  watchFunction(consumer, p.consumer.name, p.topic, p.consumer.timeoutSeconds);
  return { queue: queue.cdk.queue, deadLetterQueue, consumer, queueUrl: queue.queueUrl, queueArn: queue.queueArn };
}
