// Alerts stack (the SNS topic every alarm notifies) and the per-function and per-job alarm helpers other stacks call.
import { Duration } from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as cwActions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import type { App, StackContext } from "sst/constructs";
import type { JobDef } from "@evently/functions/manifest";
import { JOB_DIMENSION, JobMetric, METRICS_NAMESPACE, SERVICE_NAME } from "@evently/functions/lib/metric-names";
import { deployConfig } from "./config";
import { missedRunWindow } from "./cron";
import { exportForConsumers, physicalPrefix } from "./stage";

export interface AlertsOutputs {
  topic: sns.ITopic;
}

/**
 * Its own small stack, created before everything that alarms: function alarms then live next to
 * their function, so adding or removing a route never touches a cross-stack export.
 */
export function Alerts({ app, stack }: StackContext): AlertsOutputs {
  const config = deployConfig(app.stage);
  // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and
  // alarm notifications carry no customer data.
  const topic = new sns.Topic(stack, "AlarmTopic", {
    displayName: `${physicalPrefix(app)} alarms`,
    enforceSSL: true,
  });
  if (config.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
  exportForConsumers(stack, [topic.topicArn]);
  stack.addOutputs({ AlarmTopicArn: topic.topicArn });
  return { topic };
}

const namesByApp = new WeakMap<Construct, Set<string>>();

/** A readable, unique alarm name: `<stage>-evently <what> <metric>`; CloudFormation rejects duplicates late, we reject them early. */
export function alarmName(scope: Construct, label: string, metric: string): string {
  const app = scope.node.root as App;
  const clean = label
    .replace(/[{}]/g, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const name = `${physicalPrefix(app)} ${clean} ${metric}`;
  const names = namesByApp.get(app) ?? new Set<string>();
  if (names.has(name)) throw new Error(`Two alarms would be named "${name}"`);
  namesByApp.set(app, names.add(name));
  return name;
}

/** Every alarm notifies the topic on ALARM and again on OK, so a recovery is visible too. */
export function notify<T extends cw.Alarm>(alarm: T, topic: sns.ITopic): T {
  const action = new cwActions.SnsAction(topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}

const FIVE_MINUTES = Duration.minutes(5);

/** A payment-health metric as the job emits it: dimension `service` only (Powertools' default). */
export function healthMetric(metricName: string, statistic: string): cw.Metric {
  return new cw.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic,
    period: FIVE_MINUTES,
  });
}

export function apiMetric(apiId: string, metricName: string, statistic: string): cw.Metric {
  return new cw.Metric({
    namespace: "AWS/ApiGateway",
    metricName,
    dimensionsMap: { ApiId: apiId },
    statistic,
    period: FIVE_MINUTES,
  });
}

/** A function's slowest runs at this share of its time limit are one slow dependency away from timing out. */
const DURATION_ALARM_SHARE = 0.8;

/**
 * Errors (unhandled exceptions, timeouts) and Throttles: any one in five minutes is worth a look.
 * Duration: the maximum over 5 minutes above 80 % of the time limit, three periods running, so
 * one cold start is not a page but a dependency drifting towards the limit is.
 */
export function watchFunction(fn: lambda.IFunction, label: string, topic: sns.ITopic, timeoutSeconds: number): cw.Alarm[] {
  const errors = new cw.Alarm(fn, "ErrorsAlarm", {
    alarmName: alarmName(fn, label, "errors"),
    alarmDescription: `${label}: the function failed (exception or timeout)`,
    metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: "Sum" }),
    threshold: 1,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  const throttles = new cw.Alarm(fn, "ThrottlesAlarm", {
    alarmName: alarmName(fn, label, "throttles"),
    alarmDescription: `${label}: invocations were throttled (account or reserved concurrency exhausted)`,
    metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: "Sum" }),
    threshold: 1,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  const durationLimitMs = Math.round(timeoutSeconds * 1000 * DURATION_ALARM_SHARE);
  const duration = new cw.Alarm(fn, "DurationAlarm", {
    alarmName: alarmName(fn, label, "duration-near-timeout"),
    alarmDescription: `${label}: runs took over ${durationLimitMs} ms, ${DURATION_ALARM_SHARE * 100} % of its ${timeoutSeconds} s time limit`,
    metric: fn.metricDuration({ period: FIVE_MINUTES, statistic: "Maximum" }),
    threshold: durationLimitMs,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  return [notify(errors, topic), notify(throttles, topic), notify(duration, topic)];
}

/** The job's success metric, as the job emits it (dimensions service + job). */
export function jobSucceededMetric(job: Pick<JobDef, "name">, period: Duration): cw.Metric {
  return new cw.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: JobMetric.succeeded,
    dimensionsMap: { service: SERVICE_NAME, [JOB_DIMENSION]: job.name },
    statistic: "Sum",
    period,
  });
}

/**
 * "Did not run": no JobSucceeded in every period of a window fitted to the schedule. Missing
 * data is breaching, because a job that never starts emits nothing at all.
 */
export function watchJobRuns(scope: Construct, job: JobDef, topic: sns.ITopic): cw.Alarm {
  const { periodSeconds, evaluationPeriods } = missedRunWindow(job.cron);
  const alarm = new cw.Alarm(scope, "DidNotRunAlarm", {
    alarmName: alarmName(scope, `job ${job.name}`, "did-not-run"),
    alarmDescription: `Job ${job.name} (${job.cron} UTC) had no successful run for ${(periodSeconds * evaluationPeriods) / 60} minutes`,
    metric: jobSucceededMetric(job, Duration.seconds(periodSeconds)),
    threshold: 1,
    comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods,
    datapointsToAlarm: evaluationPeriods,
    treatMissingData: cw.TreatMissingData.BREACHING,
  });
  return notify(alarm, topic);
}
