// Alarms stack: app-level alarms (API, Aurora and its proxy, webhook queues, app metrics, payment health) and the dashboard.
import { Duration } from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import { use, type StackContext } from "sst/constructs";
import { AppMetric, HealthMetric } from "@evently/functions/lib/metric-names";
import { Alerts, alarmName, apiMetric, healthMetric, notify } from "./alerts";
import { Api } from "./api";
import { createDashboard } from "./dashboard";
import { Database } from "./database";
import { ProviderTasks } from "./provider-tasks";
import { auroraMaxConnections, databaseMetric, proxyMetric } from "./db-metrics";
import { stageSettings } from "./stage";
import { Webhooks } from "./webhooks";

const FIVE_MINUTES = Duration.minutes(5);

/** Thresholds operators tune; each alarm's description repeats its own. */
const THRESHOLDS = {
  api5xxPercent: 1,
  /** Below this many requests in 5 minutes the 5xx rate is noise (1 of 3 is 33 %). */
  api5xxMinRequests: 20,
  apiP99LatencyMs: 3000,
  auroraCpuPercent: 80,
  auroraAcuPercent: 90,
  auroraConnectionsPercent: 80,
  proxyBorrowedPercent: 90,
  webhookSignatureFailures: 10,
  providerTasksFailed: 0,
  deadLetterMessages: 0,
  webhookOldestMessageSeconds: 300,
  paymentFailuresLastHour: 10,
  paymentSuccessRate24hPercent: 99,
  paymentsPendingOver30m: 0,
  seatCounterDrift: 0,
} as const;

const appMetric = (metricName: string) => healthMetric(metricName, "Sum");

export function Alarms({ app, stack }: StackContext): { alarms: cw.Alarm[] } {
  const { topic } = use(Alerts);
  const { httpApi } = use(Api);
  const webhooks = use(Webhooks);
  const tasks = use(ProviderTasks);
  const database = use(Database);
  const apiId = httpApi.apiId;
  const settings = stageSettings(app.stage);
  const clusterId = database.cluster.clusterIdentifier;
  const proxyName = database.proxy.dbProxyName;
  const maxConnections = auroraMaxConnections(settings.db.maxCapacity);

  const alarm = (
    id: string,
    label: string,
    props: Omit<cw.AlarmProps, "alarmName" | "comparisonOperator" | "treatMissingData"> &
      Partial<Pick<cw.AlarmProps, "comparisonOperator">>,
  ) =>
    notify(
      new cw.Alarm(stack, id, {
        alarmName: alarmName(stack, label, "alarm"),
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        ...props,
      }),
      topic,
    );

  const alarms = [
    // A rate, not a count, and only once there is traffic: one 5xx among three requests at night
    // is a log line, fifty among a thousand is an incident.
    alarm("Api5xxRate", "api 5xx-rate", {
      metric: new cw.MathExpression({
        expression: `IF(requests >= ${THRESHOLDS.api5xxMinRequests}, 100 * errors / requests, 0)`,
        usingMetrics: { requests: apiMetric(apiId, "Count", "Sum"), errors: apiMetric(apiId, "5xx", "Sum") },
        period: FIVE_MINUTES,
        label: "5xx % of requests",
      }),
      alarmDescription: `More than ${THRESHOLDS.api5xxPercent}% of API requests answered 5xx over 5 minutes (with at least ${THRESHOLDS.api5xxMinRequests} requests)`,
      threshold: THRESHOLDS.api5xxPercent,
      evaluationPeriods: 1,
    }),
    alarm("ApiLatencyP99", "api latency-p99", {
      metric: apiMetric(apiId, "Latency", "p99"),
      alarmDescription: `p99 API latency above ${THRESHOLDS.apiP99LatencyMs} ms for 15 minutes`,
      threshold: THRESHOLDS.apiP99LatencyMs,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    }),
    alarm("AuroraCpu", "aurora cpu", {
      metric: databaseMetric(clusterId, "CPUUtilization", "Average"),
      alarmDescription: `Aurora CPU above ${THRESHOLDS.auroraCpuPercent}% for 15 minutes`,
      threshold: THRESHOLDS.auroraCpuPercent,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    }),
    // ACUUtilization is the share of the configured maximum capacity in use: at 100 % Aurora
    // cannot scale further and queries slow down instead.
    alarm("AuroraCapacity", "aurora acu-utilization", {
      metric: databaseMetric(clusterId, "ACUUtilization", "Maximum"),
      alarmDescription: `Aurora above ${THRESHOLDS.auroraAcuPercent}% of its ${settings.db.maxCapacity} ACU maximum for 15 minutes`,
      threshold: THRESHOLDS.auroraAcuPercent,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    }),
    alarm("AuroraConnections", "aurora connections", {
      metric: databaseMetric(clusterId, "DatabaseConnections", "Maximum"),
      alarmDescription: `Aurora connections above ${THRESHOLDS.auroraConnectionsPercent}% of max_connections (${maxConnections} at ${settings.db.maxCapacity} ACU)`,
      threshold: Math.floor((maxConnections * THRESHOLDS.auroraConnectionsPercent) / 100),
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    }),
    // The proxy lends at most maxConnectionsPercent of max_connections; once all are borrowed,
    // requests wait up to the borrow timeout and then fail.
    alarm("ProxyBorrowed", "proxy borrowed-connections", {
      metric: new cw.MathExpression({
        expression: "IF(allowed > 0, 100 * borrowed / allowed, 0)",
        usingMetrics: {
          borrowed: proxyMetric(proxyName, "DatabaseConnectionsCurrentlyBorrowed", "Maximum"),
          allowed: proxyMetric(proxyName, "MaxDatabaseConnectionsAllowed", "Minimum"),
        },
        period: FIVE_MINUTES,
        label: "borrowed % of allowed",
      }),
      alarmDescription: `RDS Proxy lent more than ${THRESHOLDS.proxyBorrowedPercent}% of the connections it may open, 10 minutes running`,
      threshold: THRESHOLDS.proxyBorrowedPercent,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    }),
    alarm("WebhookSignatureFailures", "webhooks signature-failures", {
      metric: appMetric(AppMetric.webhookSignatureFailures),
      alarmDescription: `More than ${THRESHOLDS.webhookSignatureFailures} Stripe webhooks with a bad signature in 5 minutes: forged traffic or a signing secret out of date`,
      threshold: THRESHOLDS.webhookSignatureFailures,
      evaluationPeriods: 1,
    }),
    alarm("ProviderTasksFailed", "payments provider-tasks-failed", {
      metric: appMetric(AppMetric.providerTasksFailed),
      alarmDescription: "A Stripe call (intent, cancel, refund) failed for good after its retries: money may be held or owed",
      threshold: THRESHOLDS.providerTasksFailed,
      evaluationPeriods: 1,
    }),
    alarm("WebhookDeadLetters", "webhooks dead-letter-queue", {
      metric: webhooks.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
      alarmDescription: "Stripe events failed processing five times and were parked in the DLQ; inspect and redrive",
      threshold: THRESHOLDS.deadLetterMessages,
      evaluationPeriods: 1,
    }),
    alarm("WebhookQueueAge", "webhooks queue-age", {
      metric: webhooks.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: "Maximum" }),
      alarmDescription: `A Stripe event waited more than ${THRESHOLDS.webhookOldestMessageSeconds} s: the processor is failing or starved`,
      threshold: THRESHOLDS.webhookOldestMessageSeconds,
      evaluationPeriods: 1,
    }),
    alarm("ProviderTaskDeadLetters", "provider-tasks dead-letter-queue", {
      metric: tasks.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
      alarmDescription: "Provider-task messages could not be read five times (database down?); the sweep still runs their tasks",
      threshold: THRESHOLDS.deadLetterMessages,
      evaluationPeriods: 1,
    }),
    // The health job's own absence is caught by its "did not run" alarm, so missing data here is not breaching.
    alarm("PaymentFailures", "payments failures-last-hour", {
      metric: healthMetric(HealthMetric.failuresLastHour, "Maximum"),
      alarmDescription: `More than ${THRESHOLDS.paymentFailuresLastHour} failed payments in the last hour`,
      threshold: THRESHOLDS.paymentFailuresLastHour,
      evaluationPeriods: 1,
    }),
    alarm("PaymentSuccessRate", "payments success-rate-24h", {
      metric: healthMetric(HealthMetric.successRate24h, "Minimum"),
      alarmDescription: `Payment success rate over 24 h fell below ${THRESHOLDS.paymentSuccessRate24hPercent}%`,
      threshold: THRESHOLDS.paymentSuccessRate24hPercent,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
    }),
    alarm("PaymentsPending", "payments pending-over-30m", {
      metric: healthMetric(HealthMetric.pendingOver30m, "Maximum"),
      alarmDescription: "Payments pending for more than 30 minutes: webhooks lost or Stripe degraded",
      threshold: THRESHOLDS.paymentsPendingOver30m,
      evaluationPeriods: 1,
    }),
    // The job emits the absolute drift, so "≠ 0" is "> 0".
    alarm("SeatCounterDrift", "seats counter-drift", {
      metric: healthMetric(HealthMetric.seatCounterDrift, "Maximum"),
      alarmDescription: "events.seats_taken disagrees with the participations: an invariant broke",
      threshold: THRESHOLDS.seatCounterDrift,
      evaluationPeriods: 1,
    }),
  ];

  createDashboard(stack, { apiId, webhooks, database, alarms });
  return { alarms };
}
