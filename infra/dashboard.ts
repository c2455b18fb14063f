// The CloudWatch dashboard: API, functions, webhook queues, payment health, jobs and the database on one page.
import { Duration } from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import type { App, Stack } from "sst/constructs";
import { HealthMetric, JobMetric } from "@evently/functions/lib/metric-names";
import { schedules } from "@evently/functions/schedules";
import { apiMetric, healthMetric, jobSucceededMetric } from "./alerts";
import type { DatabaseOutputs } from "./database";
import { physicalPrefix } from "./stage";
import type { WebhooksOutputs } from "./webhooks";

export interface DashboardInputs {
  apiId: string;
  webhooks: WebhooksOutputs;
  database: DatabaseOutputs;
  alarms: cw.IAlarm[];
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Lambda metrics by name search, not by construct: referencing every route's function from here
 * would make each route a cross-stack export, and removing a route would then block its deploy.
 */
function lambdaSearch(prefix: string, metricName: string, statistic: string, label: string): cw.MathExpression {
  return new cw.MathExpression({
    expression: `SEARCH('{AWS/Lambda,FunctionName} MetricName="${metricName}" FunctionName=${prefix}', '${statistic}', 300)`,
    usingMetrics: {},
    label,
    period: FIVE_MINUTES,
  });
}

const graph = (title: string, left: cw.IMetric[], width = 8): cw.GraphWidget => new cw.GraphWidget({ title, left, width, height: 6 });

export function createDashboard(stack: Stack, inputs: DashboardInputs): cw.Dashboard {
  const prefix = physicalPrefix(stack.node.root as App);
  const { apiId, webhooks, database } = inputs;

  const dashboard = new cw.Dashboard(stack, "Dashboard", {
    dashboardName: `${prefix}-overview`,
    defaultInterval: Duration.hours(6),
  });

  dashboard.addWidgets(new cw.AlarmStatusWidget({ title: "App alarms", alarms: inputs.alarms, width: 24, height: 3 }));

  dashboard.addWidgets(
    graph("API requests and errors", [apiMetric(apiId, "Count", "Sum"), apiMetric(apiId, "4xx", "Sum"), apiMetric(apiId, "5xx", "Sum")]),
    graph("API latency", [apiMetric(apiId, "Latency", "p50"), apiMetric(apiId, "Latency", "p99")]),
    graph("Lambda errors and throttles", [
      lambdaSearch(prefix, "Errors", "Sum", "errors"),
      lambdaSearch(prefix, "Throttles", "Sum", "throttles"),
    ]),
  );

  dashboard.addWidgets(
    graph("Webhook queue", [
      webhooks.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
      webhooks.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: "Maximum",
        label: "DLQ visible",
      }),
    ]),
    graph("Oldest webhook (s)", [webhooks.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: "Maximum" })]),
    graph("Webhook processor", [
      webhooks.consumer.metricInvocations({ period: FIVE_MINUTES }),
      webhooks.consumer.metricErrors({ period: FIVE_MINUTES }),
      webhooks.consumer.metricDuration({ period: FIVE_MINUTES, statistic: "p99" }),
    ]),
  );

  dashboard.addWidgets(
    new cw.SingleValueWidget({
      title: "Payment health",
      width: 24,
      height: 4,
      metrics: [
        healthMetric(HealthMetric.successRate24h, "Minimum"),
        healthMetric(HealthMetric.failuresLastHour, "Maximum"),
        healthMetric(HealthMetric.pendingOver30m, "Maximum"),
        healthMetric(HealthMetric.avgProcessingSeconds, "Average"),
        healthMetric(HealthMetric.refundsProcessingOver24h, "Maximum"),
        healthMetric(HealthMetric.webhookEventsFailed, "Maximum"),
        healthMetric(HealthMetric.webhookEventsUnprocessed, "Maximum"),
        healthMetric(HealthMetric.seatCounterDrift, "Maximum"),
      ],
    }),
  );

  // CloudWatch rejects a graph without metrics, so no jobs means a note instead of an empty graph.
  const jobRuns =
    schedules.length > 0
      ? graph(
          `Job runs (${JobMetric.succeeded})`,
          schedules.map((job) => jobSucceededMetric(job, FIVE_MINUTES).with({ label: job.name })),
          12,
        )
      : new cw.TextWidget({ markdown: "No scheduled jobs in schedules.ts", width: 12, height: 6 });
  dashboard.addWidgets(
    jobRuns,
    graph(
      "Aurora",
      [
        database.cluster.metric("ServerlessDatabaseCapacity", { period: FIVE_MINUTES, statistic: "Average" }),
        database.cluster.metric("ACUUtilization", { period: FIVE_MINUTES, statistic: "Maximum" }),
        database.cluster.metricDatabaseConnections({ period: FIVE_MINUTES, statistic: "Maximum" }),
      ],
      12,
    ),
  );

  return dashboard;
}
