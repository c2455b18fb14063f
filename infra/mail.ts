// Mail stack: the SES identity mail is sent from (from configuration), the sender's SQS queue with
// its dead-letter queue and alarms, and the sender Lambda with a send-only grant on that identity.
import { Duration } from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as iam from "aws-cdk-lib/aws-iam";
import * as ses from "aws-cdk-lib/aws-ses";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Function as SstFunction, Queue, dependsOn, use, type StackContext } from "sst/constructs";
import { CONSUMER_DIMENSION, MailMetric, METRICS_NAMESPACE, SERVICE_NAME } from "@evently/functions/lib/metric-names";
import { handlerPath } from "@evently/functions/manifest";
import { accessProps, grantAccess } from "./access";
import { Alerts, alarmName, notify, watchFunction } from "./alerts";
import { Database } from "./database";
import { Migrations } from "./migrations";
import { Network } from "./network";
import { Secrets } from "./secrets";
import { TicketKeys } from "./ticket-keys";
import { exportForConsumers, isProdStage } from "./stage";

/** ticket-key: order_confirmed signs its tickets' codes when it is sent. */
export const MAIL_SENDER = {
  name: "mail-sender",
  handler: "queue/mail-sender",
  timeoutSeconds: 30,
  resources: ["db", "ticket-key", "metrics"],
} as const;
/** SQS hides a received message for 6× the consumer's timeout, as AWS advises for Lambda sources. */
export const MAIL_VISIBILITY_SECONDS = 6 * MAIL_SENDER.timeoutSeconds;
export const MAIL_MAX_RECEIVE_COUNT = 5;

export interface MailOutputs {
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  sender: SstFunction;
  identity: ses.EmailIdentity;
}

/**
 * MAIL_FROM (the sender address) and MAIL_IDENTITY (the verified SES identity: a domain, or the
 * address itself; default MAIL_FROM's domain) come from the deploy environment. Prod refuses to
 * synthesize without them; other stages get a placeholder under the stage's name.
 */
export function mailConfig(stage: string): { from: string; identity: string; linkBase: string } {
  const from = process.env.MAIL_FROM;
  if (!from && isProdStage(stage)) throw new Error("MAIL_FROM must be set to deploy the prod stage");
  const address = from ?? `no-reply@${stage}.evently.invalid`;
  return {
    from: address,
    identity: process.env.MAIL_IDENTITY ?? address.slice(address.indexOf("@") + 1),
    linkBase: process.env.MAIL_LINK_BASE_URL ?? "https://evently.invalid",
  };
}

export function Mail({ app, stack }: StackContext): MailOutputs {
  const deps = { network: use(Network), database: use(Database), secrets: use(Secrets), ticketKey: use(TicketKeys).secret };
  const { topic } = use(Alerts);
  dependsOn(Migrations);
  const config = mailConfig(app.stage);

  const identity = new ses.EmailIdentity(stack, "MailIdentity", {
    identity: config.identity.includes("@") ? ses.Identity.email(config.identity) : ses.Identity.domain(config.identity),
  });

  const deadLetterQueue = new sqs.Queue(stack, "MailDeadLetterQueue", {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  const queue = new Queue(stack, "MailQueue", {
    cdk: {
      queue: {
        visibilityTimeout: Duration.seconds(MAIL_VISIBILITY_SECONDS),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: MAIL_MAX_RECEIVE_COUNT },
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      },
    },
    consumer: {
      function: {
        handler: handlerPath(MAIL_SENDER.handler),
        description: `${MAIL_SENDER.name} (${MAIL_SENDER.handler})`,
        timeout: MAIL_SENDER.timeoutSeconds,
        ...accessProps(MAIL_SENDER.resources, deps),
      },
      // One bad message does not replay the batch; concurrency bounded to spare the database proxy.
      cdk: { eventSource: { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 } },
    },
  });
  const sender = queue.consumerFunction;
  if (!(sender instanceof SstFunction)) throw new Error("Mail queue has no SST consumer function");
  grantAccess(sender, MAIL_SENDER.resources, deps);
  sender.addEnvironment("MAIL_FROM", config.from);
  sender.addEnvironment("MAIL_LINK_BASE_URL", config.linkBase);
  // Send-only, and only as this identity: the sender can mail nothing else and read nothing.
  sender.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["ses:SendEmail"],
      resources: [`arn:${stack.partition}:ses:${stack.region}:${stack.account}:identity/${identity.emailIdentityName}`],
    }),
  );
  watchFunction(sender, MAIL_SENDER.name, topic, MAIL_SENDER.timeoutSeconds);

  notify(
    new cw.Alarm(stack, "MailDeadLettersAlarm", {
      alarmName: alarmName(stack, "mail dead-letter-queue", "messages"),
      alarmDescription:
        "Mail failed five deliveries and was parked in the DLQ; the outbox row stays pending for the relay. Inspect the sender's logs",
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    topic,
  );
  const mailMetric = (metricName: string) =>
    new cw.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: SERVICE_NAME, [CONSUMER_DIMENSION]: "mail" },
      statistic: "Sum",
      period: Duration.minutes(5),
    });
  notify(
    new cw.Alarm(stack, "MailFailedAlarm", {
      alarmName: alarmName(stack, "mail sender", MailMetric.failed),
      alarmDescription: "Outbox mail failed for good after every attempt (status failed): the recipient heard nothing",
      metric: mailMetric(MailMetric.failed),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    topic,
  );
  notify(
    new cw.Alarm(stack, "MailPossibleDuplicatesAlarm", {
      alarmName: alarmName(stack, "mail sender", MailMetric.possibleDuplicate),
      alarmDescription:
        "Senders died between SES accepting mail and recording it; recipients may have two copies. A burst means the sender is crashing",
      metric: mailMetric(MailMetric.possibleDuplicate),
      threshold: 10,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    topic,
  );

  exportForConsumers(stack, [queue.queueUrl, queue.queueArn]);
  stack.addOutputs({ MailQueueUrl: queue.queueUrl, MailDeadLetterQueueUrl: deadLetterQueue.queueUrl });
  return { queue: queue.cdk.queue, deadLetterQueue, sender, identity };
}
