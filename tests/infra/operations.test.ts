// Webhook and provider-task queues, DLQs and consumers; one EventBridge rule per job; every alarm with its threshold and the SNS topic; the dashboard.
import { beforeAll, describe, expect, it } from "vitest";
import { webhookConsumer } from "@evently/functions/consumers";
import { handlerPath } from "@evently/functions/manifest";
import { routes } from "@evently/functions/routes";
import { schedules } from "@evently/functions/schedules";
import { missedRunWindow, toEventBridgeCron } from "../../infra/cron";
import { expectedEnv, MANAGED_ENV } from "./expected";
import {
  actionsOf,
  address,
  functionsByHandler,
  resourcesIn,
  resourcesOf,
  statementsByRole,
  target,
  type AlarmProps,
  type Located,
} from "./cfn";
import { synthesize, type Synthesized } from "./synth";

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

const CONSUMER = "packages/functions/src/queue/webhook-processor.handler";
const TASK_CONSUMER = "packages/functions/src/queue/provider-tasks.handler";

interface QueueProps {
  QueueName?: string;
  VisibilityTimeout?: number;
  MessageRetentionPeriod?: number;
  RedrivePolicy?: { deadLetterTargetArn: unknown; maxReceiveCount: number };
}

function queues(stack: "Webhooks" | "ProviderTasks" = "Webhooks"): { queue: Located<QueueProps>; dlq: Located<QueueProps> } {
  const all = resourcesOf<QueueProps>(synth, "AWS::SQS::Queue", stack);
  expect(all).toHaveLength(2);
  const queue = all.find((q) => q.props.RedrivePolicy)!;
  const dlq = all.find((q) => !q.props.RedrivePolicy)!;
  return { queue, dlq };
}

describe("webhook queue", () => {
  it("parks a message in the DLQ after five receives; the DLQ keeps it 14 days", () => {
    const { queue, dlq } = queues();
    expect(queue.props.RedrivePolicy?.maxReceiveCount).toBe(5);
    expect(target(synth, queue.stack, queue.props.RedrivePolicy?.deadLetterTargetArn)).toBe(address(dlq));
    expect(dlq.props.MessageRetentionPeriod).toBe(14 * 86_400);
  });

  it("hides a message for at least six consumer timeouts", () => {
    const { queue } = queues();
    const consumer = functionsByHandler(synth).get(CONSUMER);
    expect(consumer?.props.Timeout).toBe(webhookConsumer.timeoutSeconds);
    expect(queue.props.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer!.props.Timeout!);
  });

  it("feeds the consumer batches of 10 with partial batch failures and bounded concurrency", () => {
    const { queue } = queues();
    const consumer = functionsByHandler(synth).get(CONSUMER)!;
    const mappings = resourcesOf<{
      EventSourceArn: unknown;
      FunctionName: unknown;
      BatchSize: number;
      FunctionResponseTypes: string[];
      ScalingConfig: { MaximumConcurrency: number };
    }>(synth, "AWS::Lambda::EventSourceMapping", "Webhooks");
    expect(mappings).toHaveLength(1);
    const m = mappings[0]!;
    expect(target(synth, m.stack, m.props.EventSourceArn)).toBe(address(queue));
    expect(target(synth, m.stack, m.props.FunctionName)).toBe(address(consumer));
    expect(m.props.BatchSize).toBe(10);
    expect(m.props.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(m.props.ScalingConfig.MaximumConcurrency).toBe(2);
  });

  it("the consumer gets the database, Stripe key, data key and the queues it hands work to, and nothing else", () => {
    const consumer = functionsByHandler(synth).get(CONSUMER)!;
    const env = Object.keys(consumer.props.Environment?.Variables ?? {}).filter((k) => MANAGED_ENV.has(k));
    // task-queue: settlement hands its refunds and intent work to the provider-task worker;
    // mail-queue: the mail its effects write is nudged to the sender after commit.
    expect(env.sort()).toEqual(expectedEnv({ resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue", "metrics"] }).sort());
    expect(consumer.props.VpcConfig).toBeDefined();
  });

  it("functions with a queue resource may only SendMessage to that queue, and get its URL", () => {
    const byResource = {
      "webhook-queue": [queues().queue, "WEBHOOK_QUEUE_URL"],
      "task-queue": [queues("ProviderTasks").queue, "PROVIDER_TASK_QUEUE_URL"],
    } as const;
    const functions = functionsByHandler(synth);
    const statements = statementsByRole(synth);
    for (const route of routes) {
      const fn = functions.get(handlerPath(route.handler))!;
      const role = target(synth, fn.stack, fn.props.Role);
      // The mail queue has its own test (mail.test.ts); here: the webhook and provider-task queues.
      const onMailQueue = (s: (typeof statements)[number]) =>
        resourcesIn(s.statement).some((r) => target(synth, fn.stack, r)?.startsWith("Mail/"));
      const sqsStatements = statements.filter(
        (s) => s.roles.includes(role!) && actionsOf(s.statement).some((a) => a.startsWith("sqs:")) && !onMailQueue(s),
      );
      const wanted = (Object.keys(byResource) as (keyof typeof byResource)[]).filter((r) => route.resources.includes(r));
      expect(
        sqsStatements.map((s) => actionsOf(s.statement)),
        route.path,
      ).toEqual(wanted.map(() => ["sqs:SendMessage"]));
      const granted = sqsStatements.flatMap((s) => resourcesIn(s.statement).map((r) => target(synth, fn.stack, r)));
      expect(granted.sort(), route.path).toEqual(wanted.map((r) => address(byResource[r][0])).sort());
      for (const r of wanted)
        expect(target(synth, fn.stack, fn.props.Environment?.Variables?.[byResource[r][1]])).toBe(address(byResource[r][0]));
    }
  });
});

describe("provider-task queue", () => {
  it("parks a message in its DLQ after five receives, hides it for six consumer timeouts", () => {
    const { queue, dlq } = queues("ProviderTasks");
    expect(queue.props.RedrivePolicy?.maxReceiveCount).toBe(5);
    expect(target(synth, queue.stack, queue.props.RedrivePolicy?.deadLetterTargetArn)).toBe(address(dlq));
    const consumer = functionsByHandler(synth).get(TASK_CONSUMER)!;
    expect(queue.props.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer.props.Timeout!);
  });

  it("feeds its worker batches with partial batch failures; the worker gets the database, Stripe key, data key and the mail queue", () => {
    const { queue } = queues("ProviderTasks");
    const consumer = functionsByHandler(synth).get(TASK_CONSUMER)!;
    const [m, ...more] = resourcesOf<{ EventSourceArn: unknown; FunctionName: unknown; FunctionResponseTypes: string[] }>(
      synth,
      "AWS::Lambda::EventSourceMapping",
      "ProviderTasks",
    );
    expect(more).toEqual([]);
    expect(target(synth, m!.stack, m!.props.EventSourceArn)).toBe(address(queue));
    expect(target(synth, m!.stack, m!.props.FunctionName)).toBe(address(consumer));
    expect(m!.props.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    const env = Object.keys(consumer.props.Environment?.Variables ?? {}).filter((k) => MANAGED_ENV.has(k));
    expect(env.sort()).toEqual(expectedEnv({ resources: ["db", "stripe-key", "data-key", "mail-queue", "metrics"] }).sort());
  });
});

describe("jobs", () => {
  const rules = () =>
    resourcesOf<{ ScheduleExpression: string; State: string; Targets: { Arn: unknown }[] }>(synth, "AWS::Events::Rule", "Jobs");

  it("has one rule per job in schedules.ts and no other", () => {
    expect(rules()).toHaveLength(schedules.length);
  });

  it("each job's rule fires its converted cron and invokes a function built from its handler", () => {
    const byAddress = new Map([...functionsByHandler(synth).values()].map((f) => [address(f), f]));
    const fnOf = (rule: ReturnType<typeof rules>[number]) => byAddress.get(target(synth, "Jobs", rule.props.Targets[0]!.Arn) ?? "");
    for (const job of schedules) {
      // Two jobs may share a cron: find the rule by the function it invokes.
      const rule = rules().find((r) => fnOf(r)?.props.Handler === handlerPath(job.handler));
      expect(rule, job.name).toBeDefined();
      expect(rule!.props.ScheduleExpression, job.name).toBe(toEventBridgeCron(job.cron));
      expect(rule!.props.State).toBe("ENABLED");
      const fn = fnOf(rule!);
      expect(fn?.props.Timeout, job.name).toBe(job.timeoutSeconds);
      const env = Object.keys(fn?.props.Environment?.Variables ?? {}).filter((k) => MANAGED_ENV.has(k));
      expect(env.sort(), job.name).toEqual(expectedEnv(job).sort());
    }
  });
});

const alarms = () => resourcesOf<AlarmProps>(synth, "AWS::CloudWatch::Alarm");
const named = (suffix: string): Located<AlarmProps> => {
  const found = alarms().filter((a) => a.props.AlarmName.endsWith(suffix));
  expect(found, suffix).toHaveLength(1);
  return found[0]!;
};
const dims = (a: AlarmProps) => Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name, d.Value]));

describe("app alarms", () => {
  it.each([
    ["payments-failures-last-hour alarm", "PaymentFailuresLastHour", "GreaterThanThreshold", 10],
    ["payments-success-rate-24h alarm", "PaymentSuccessRate24h", "LessThanThreshold", 99],
    ["payments-pending-over-30m alarm", "PaymentsPendingOver30m", "GreaterThanThreshold", 0],
    ["seats-counter-drift alarm", "SeatCounterDrift", "GreaterThanThreshold", 0],
  ])("%s: %s %s %d", (name, metric, operator, threshold) => {
    const a = named(name).props;
    expect(a).toMatchObject({ MetricName: metric, Namespace: "Evently", ComparisonOperator: operator, Threshold: threshold, Period: 300 });
    expect(dims(a)).toEqual({ service: "evently" });
  });

  it.each([
    ["webhooks-signature-failures alarm", "WebhookSignatureFailures", 10],
    ["payments-provider-tasks-failed alarm", "ProviderTasksFailed", 0],
  ])("%s: Sum of the app's %s above %d in 5 minutes", (name, metric, threshold) => {
    const a = named(name).props;
    expect(a).toMatchObject({
      MetricName: metric,
      Namespace: "Evently",
      Statistic: "Sum",
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: threshold,
      Period: 300,
    });
    expect(dims(a)).toEqual({ service: "evently" });
  });

  it("API 5xx rate above 1 % over 5 minutes, from the HTTP API's 5xx and Count, only with 20 requests or more", () => {
    const a = named("api-5xx-rate alarm");
    expect(a.props).toMatchObject({ Threshold: 1, ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 1 });
    const expression = a.props.Metrics?.find((m) => m.Expression)?.Expression;
    expect(expression).toBe("IF(requests >= 20, 100 * errors / requests, 0)");
    const [api] = resourcesOf(synth, "AWS::ApiGatewayV2::Api", "Api");
    const stats = (a.props.Metrics ?? []).filter((m) => m.MetricStat).map((m) => m.MetricStat!);
    expect(stats.map((s) => [s.Metric.Namespace, s.Metric.MetricName, s.Stat]).sort()).toEqual([
      ["AWS/ApiGateway", "5xx", "Sum"],
      ["AWS/ApiGateway", "Count", "Sum"],
    ]);
    for (const s of stats)
      expect(s.Metric.Dimensions.map((d) => [d.Name, target(synth, a.stack, d.Value)])).toEqual([["ApiId", address(api!)]]);
  });

  it("API p99 latency above 3 s for 15 minutes, on our HTTP API", () => {
    const a = named("api-latency-p99 alarm");
    const [api] = resourcesOf(synth, "AWS::ApiGatewayV2::Api", "Api");
    expect(a.props).toMatchObject({
      Namespace: "AWS/ApiGateway",
      MetricName: "Latency",
      ExtendedStatistic: "p99",
      Threshold: 3000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    expect(target(synth, a.stack, dims(a.props).ApiId)).toBe(address(api!));
  });

  it("Aurora CPU, capacity (ACU) near its maximum and connections near max_connections, on our cluster", () => {
    const [cluster] = resourcesOf(synth, "AWS::RDS::DBCluster");
    const cases: [string, string, number][] = [
      ["aurora-cpu alarm", "CPUUtilization", 80],
      ["aurora-acu-utilization alarm", "ACUUtilization", 90],
      // 4 ACU (dev) = 8 GiB: LEAST(8 GiB / 9531392, 5000) = 901 connections, alarm at 80 %.
      ["aurora-connections alarm", "DatabaseConnections", 720],
    ];
    for (const [name, metric, threshold] of cases) {
      const a = named(name);
      expect(a.props, name).toMatchObject({
        Namespace: "AWS/RDS",
        MetricName: metric,
        Threshold: threshold,
        ComparisonOperator: "GreaterThanThreshold",
      });
      expect(target(synth, a.stack, dims(a.props).DBClusterIdentifier), name).toBe(address(cluster!));
    }
  });

  it("RDS Proxy: borrowed connections above 90 % of what it may open, on our proxy", () => {
    const a = named("proxy-borrowed-connections alarm");
    const [proxy] = resourcesOf(synth, "AWS::RDS::DBProxy");
    expect(a.props).toMatchObject({ Threshold: 90, EvaluationPeriods: 2 });
    expect(a.props.Metrics?.find((m) => m.Expression)?.Expression).toBe("IF(allowed > 0, 100 * borrowed / allowed, 0)");
    const stats = (a.props.Metrics ?? []).filter((m) => m.MetricStat).map((m) => m.MetricStat!);
    expect(stats.map((s) => s.Metric.MetricName).sort()).toEqual(["DatabaseConnectionsCurrentlyBorrowed", "MaxDatabaseConnectionsAllowed"]);
    for (const s of stats)
      expect(s.Metric.Dimensions.map((d) => [d.Name, target(synth, a.stack, d.Value)])).toEqual([["ProxyName", address(proxy!)]]);
  });

  it("DLQ depth above 0 and oldest webhook older than 300 s, on the right queues", () => {
    const queues = resourcesOf<{ RedrivePolicy?: unknown }>(synth, "AWS::SQS::Queue", "Webhooks");
    const queue = queues.find((q) => q.props.RedrivePolicy)!;
    const dlq = queues.find((q) => !q.props.RedrivePolicy)!;
    const dead = named("webhooks-dead-letter-queue alarm");
    expect(dead.props).toMatchObject({
      MetricName: "ApproximateNumberOfMessagesVisible",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(target(synth, dead.stack, dims(dead.props).QueueName)).toBe(address(dlq));
    const age = named("webhooks-queue-age alarm");
    expect(age.props).toMatchObject({
      MetricName: "ApproximateAgeOfOldestMessage",
      Threshold: 300,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(target(synth, age.stack, dims(age.props).QueueName)).toBe(address(queue));
  });
});

describe("every alarm", () => {
  it("notifies the one SNS topic, on ALARM and on OK", () => {
    const topics = resourcesOf(synth, "AWS::SNS::Topic");
    expect(topics).toHaveLength(1);
    expect(alarms().length).toBeGreaterThan(0);
    for (const a of alarms()) {
      expect(
        a.props.AlarmActions.map((x) => target(synth, a.stack, x)),
        a.props.AlarmName,
      ).toEqual([address(topics[0]!)]);
      expect(
        a.props.OKActions?.map((x) => target(synth, a.stack, x)),
        a.props.AlarmName,
      ).toEqual([address(topics[0]!)]);
    }
  });

  it("has a unique, stage-prefixed name", () => {
    const names = alarms().map((a) => a.props.AlarmName);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^test-evently /);
  });
});

describe("function and job alarms", () => {
  it("every deployed function has an Errors and a Throttles alarm (≥ 1 per 5 minutes)", () => {
    const functions = [...functionsByHandler(synth).values()];
    expect(functions.length).toBeGreaterThan(2);
    for (const fn of functions) {
      for (const metric of ["Errors", "Throttles"]) {
        const found = alarms().filter(
          (a) => a.props.MetricName === metric && target(synth, a.stack, dims(a.props).FunctionName) === address(fn),
        );
        expect(found, `${fn.props.Handler} ${metric}`).toHaveLength(1);
        expect(found[0]!.props).toMatchObject({
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          Period: 300,
          Statistic: "Sum",
        });
      }
    }
  });

  it("every deployed function has a duration alarm at 80 % of its own time limit (maximum, 3 × 5 minutes)", () => {
    for (const fn of functionsByHandler(synth).values()) {
      const found = alarms().filter(
        (a) => a.props.MetricName === "Duration" && target(synth, a.stack, dims(a.props).FunctionName) === address(fn),
      );
      expect(found, fn.props.Handler).toHaveLength(1);
      expect(found[0]!.props, fn.props.Handler).toMatchObject({
        Threshold: Math.round(fn.props.Timeout! * 1000 * 0.8),
        ComparisonOperator: "GreaterThanThreshold",
        Statistic: "Maximum",
        Period: 300,
        EvaluationPeriods: 3,
      });
    }
  });

  it("each job in schedules.ts has a 'did not run' alarm on JobSucceeded, missing data breaching", () => {
    const didNotRun = alarms().filter((a) => a.props.MetricName === "JobSucceeded");
    expect(didNotRun).toHaveLength(schedules.length);
    for (const job of schedules) {
      const a = didNotRun.find((x) => dims(x.props).job === job.name);
      const window = missedRunWindow(job.cron);
      expect(a?.props, job.name).toMatchObject({
        Namespace: "Evently",
        Statistic: "Sum",
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: "breaching",
        Period: window.periodSeconds,
        EvaluationPeriods: window.evaluationPeriods,
        DatapointsToAlarm: window.evaluationPeriods,
      });
      expect(dims(a!.props)).toEqual({ service: "evently", job: job.name });
    }
  });
});

describe("topic and dashboard", () => {
  it("sends no email unless ALARM_EMAIL is set", () => {
    expect(resourcesOf(synth, "AWS::SNS::Subscription")).toHaveLength(process.env.ALARM_EMAIL ? 1 : 0);
  });

  it("the dashboard shows the API, webhook queue, payment health, jobs and the database", () => {
    const dashboards = resourcesOf<{ DashboardName: string; DashboardBody: unknown }>(synth, "AWS::CloudWatch::Dashboard");
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.props.DashboardName).toBe("test-evently-overview");
    const body = JSON.stringify(dashboards[0]!.props.DashboardBody);
    for (const metric of [
      "5xx",
      "Latency",
      "ApproximateAgeOfOldestMessage",
      "PaymentSuccessRate24h",
      "SeatCounterDrift",
      "ServerlessDatabaseCapacity",
      "SEARCH(",
    ]) {
      expect(body).toContain(metric);
    }
    expect(body).toContain("App alarms"); // the alarm status widget
  });
});
