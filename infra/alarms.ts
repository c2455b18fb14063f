// Alarms stack: app-level alarms (API 5xx rate, webhook queues, payment health metrics) and the dashboard.
import { Duration } from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import { use, type StackContext } from "sst/constructs";
import { HealthMetric } from "@evently/functions/lib/metric-names";
import { Alerts, alarmName, apiMetric, healthMetric, notify } from "./alerts";
import { Api } from "./api";
import { createDashboard } from "./dashboard";
import { Database } from "./database";
import { ProviderTasks } from "./provider-tasks";
import { Webhooks } from "./webhooks";

const FIVE_MINUTES = Duration.minutes(5);

/** Thresholds operators tune; each alarm's description repeats its own. */
const THRESHOLDS = {
  api5xxPercent: 1,
  deadLetterMessages: 0,
  webhookOldestMessageSeconds: 300,
  paymentFailuresLastHour: 10,
  paymentSuccessRate24hPercent: 99,
  paymentsPendingOver30m: 0,
  seatCounterDrift: 0,
} as const;

export function Alarms({ stack }: StackContext): { alarms: cw.Alarm[] } {
  const { topic } = use(Alerts);
  const { httpApi } = use(Api);
  const webhooks = use(Webhooks);
  const tasks = use(ProviderTasks);
  const database = use(Database);
  const apiId = httpApi.apiId;

  const alarm = (id: string, label: string, props: Omit<cw.AlarmProps, "alarmName">) =>
    notify(new cw.Alarm(stack, id, { alarmName: alarmName(stack, label, "alarm"), ...props }), topic);

  const alarms = [
    // A rate, not a count: one 5xx in a quiet hour and fifty in a busy one mean different things.
    alarm("Api5xxRate", "api 5xx-rate", {
      metric: new cw.MathExpression({
        expression: "IF(requests > 0, 100 * errors / requests, 0)",
        usingMetrics: { requests: apiMetric(apiId, "Count", "Sum"), errors: apiMetric(apiId, "5xx", "Sum") },
        period: FIVE_MINUTES,
        label: "5xx % of requests",
      }),
      alarmDescription: `More than ${THRESHOLDS.api5xxPercent}% of API requests answered 5xx over 5 minutes`,
      threshold: THRESHOLDS.api5xxPercent,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    alarm("WebhookDeadLetters", "webhooks dead-letter-queue", {
      metric: webhooks.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
      alarmDescription: "Stripe events failed processing five times and were parked in the DLQ; inspect and redrive",
      threshold: THRESHOLDS.deadLetterMessages,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    alarm("WebhookQueueAge", "webhooks queue-age", {
      metric: webhooks.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: "Maximum" }),
      alarmDescription: `A Stripe event waited more than ${THRESHOLDS.webhookOldestMessageSeconds} s: the processor is failing or starved`,
      threshold: THRESHOLDS.webhookOldestMessageSeconds,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    alarm("ProviderTaskDeadLetters", "provider-tasks dead-letter-queue", {
      metric: tasks.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
      alarmDescription: "Provider-task messages could not be read five times (database down?); the sweep still runs their tasks",
      threshold: THRESHOLDS.deadLetterMessages,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    // A failed task is money that did not move (a refund not sent, an intent not cancelled): a human looks.
    alarm("ProviderTasksFailed", "payments provider-tasks-failed", {
      metric: healthMetric(HealthMetric.providerTasksFailed, "Maximum"),
      alarmDescription: "Provider tasks failed for good (see provider_tasks where status = 'failed')",
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    // The health job's own absence is caught by its "did not run" alarm, so missing data here is not breaching.
    alarm("PaymentFailures", "payments failures-last-hour", {
      metric: healthMetric(HealthMetric.failuresLastHour, "Maximum"),
      alarmDescription: `More than ${THRESHOLDS.paymentFailuresLastHour} failed payments in the last hour`,
      threshold: THRESHOLDS.paymentFailuresLastHour,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    alarm("PaymentSuccessRate", "payments success-rate-24h", {
      metric: healthMetric(HealthMetric.successRate24h, "Minimum"),
      alarmDescription: `Payment success rate over 24 h fell below ${THRESHOLDS.paymentSuccessRate24hPercent}%`,
      threshold: THRESHOLDS.paymentSuccessRate24hPercent,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    alarm("PaymentsPending", "payments pending-over-30m", {
      metric: healthMetric(HealthMetric.pendingOver30m, "Maximum"),
      alarmDescription: "Payments pending for more than 30 minutes: webhooks lost or Stripe degraded",
      threshold: THRESHOLDS.paymentsPendingOver30m,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
    // The job emits the absolute drift, so "≠ 0" is "> 0".
    alarm("SeatCounterDrift", "seats counter-drift", {
      metric: healthMetric(HealthMetric.seatCounterDrift, "Maximum"),
      alarmDescription: "events.seats_taken disagrees with the participations: an invariant broke",
      threshold: THRESHOLDS.seatCounterDrift,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    }),
  ];

  createDashboard(stack, { apiId, webhooks, database, alarms });
  return { alarms };
}
