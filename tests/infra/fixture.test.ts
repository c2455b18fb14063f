// The infra against a fixed manifest (the three jobs and one route per access kind), so it is tested whatever routes.ts holds today.
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { JobDef, RouteDef } from "@evently/functions/manifest";
import {
  address,
  functionsByHandler,
  resourcesOf,
  statementsByRole,
  actionsOf,
  resourcesIn,
  target,
  type LambdaProps,
  type Located,
} from "./cfn";
import { expectedEnv, MANAGED_ENV } from "./expected";
import { synthesize, type StackName, type Synthesized } from "./synth";

vi.mock("@evently/functions/routes", () => ({
  routes: [
    { method: "GET", path: "/health", handler: "http/health", access: "public", resources: ["db"], timeoutSeconds: 6 },
    { method: "GET", path: "/openapi.json", handler: "http/openapi", access: "public", resources: [], timeoutSeconds: 6 },
    { method: "GET", path: "/events/{eventId}", handler: "http/events/get", access: "optional", resources: ["db"], timeoutSeconds: 6 },
    { method: "GET", path: "/me", handler: "http/me", access: "member", resources: ["db"], timeoutSeconds: 6 },
    { method: "POST", path: "/events", handler: "http/events/create", access: "organizer", resources: ["db"], timeoutSeconds: 6 },
    {
      method: "POST",
      path: "/events/{eventId}/orders",
      handler: "http/orders/create",
      access: "member",
      resources: ["db", "stripe-key", "data-key"],
      timeoutSeconds: 20,
      memoryMB: 512,
    },
    {
      method: "GET",
      path: "/ops/payment-health",
      handler: "http/ops/payment-health",
      access: "admin",
      resources: ["db"],
      timeoutSeconds: 6,
    },
    {
      method: "POST",
      path: "/webhooks/stripe",
      handler: "http/webhooks/stripe",
      access: "stripe",
      resources: ["webhook-secret", "webhook-queue", "metrics"],
      timeoutSeconds: 6,
    },
  ] satisfies RouteDef[],
}));

vi.mock("@evently/functions/schedules", () => ({
  schedules: [
    {
      name: "expire-holds",
      handler: "jobs/expire-holds",
      cron: "* * * * *",
      description: "release expired holds",
      resources: ["db", "stripe-key", "metrics"],
      timeoutSeconds: 50,
    },
    {
      name: "archive",
      handler: "jobs/archive",
      cron: "0 3 * * *",
      description: "archive old history",
      resources: ["db", "metrics"],
      timeoutSeconds: 900,
    },
    {
      name: "payment-health",
      handler: "jobs/payment-health",
      cron: "*/5 * * * *",
      description: "payment health snapshot",
      resources: ["db", "metrics"],
      timeoutSeconds: 60,
    },
  ] satisfies JobDef[],
}));

let synth: Synthesized;
let fns: Map<string, Located<LambdaProps>>;
beforeAll(async () => {
  process.env.ALARM_EMAIL = "ops@example.com";
  try {
    synth = await synthesize();
  } finally {
    delete process.env.ALARM_EMAIL;
  }
  fns = functionsByHandler(synth);
});

const fn = (module: string) => fns.get(`packages/functions/src/${module}.handler`)!;
const managedEnv = (f: Located<LambdaProps>) =>
  Object.keys(f.props.Environment?.Variables ?? {})
    .filter((k) => MANAGED_ENV.has(k))
    .sort();

describe("jobs of the fixed manifest", () => {
  it.each([
    ["expire-holds", "cron(* * * * ? *)", 0, 60, 10],
    ["payment-health", "cron(0/5 * * * ? *)", 0, 60, 15],
    ["archive", "cron(0 3 * * ? *)", 2, 3600, 25],
  ])("%s: rule %s, %i retries, did-not-run alarm %is × %i", (name, expression, retries, period, periods) => {
    const handler = fn(`jobs/${name}`);
    const rules = resourcesOf<{ ScheduleExpression: string; Targets: { Arn: unknown }[] }>(synth, "AWS::Events::Rule", "Jobs");
    const rule = rules.find((r) => target(synth, "Jobs", r.props.Targets[0]?.Arn) === address(handler));
    expect(rule?.props.ScheduleExpression).toBe(expression);

    const invokeConfig = resourcesOf<{ FunctionName: unknown; MaximumRetryAttempts: number }>(
      synth,
      "AWS::Lambda::EventInvokeConfig",
      "Jobs",
    ).find((c) => target(synth, "Jobs", c.props.FunctionName) === address(handler));
    expect(invokeConfig?.props.MaximumRetryAttempts).toBe(retries);

    const alarm = resourcesOf<{
      MetricName: string;
      Dimensions: { Name: string; Value: string }[];
      Period: number;
      EvaluationPeriods: number;
      DatapointsToAlarm: number;
      TreatMissingData: string;
    }>(synth, "AWS::CloudWatch::Alarm").find(
      (a) => a.props.MetricName === "JobSucceeded" && a.props.Dimensions.some((d) => d.Name === "job" && d.Value === name),
    );
    expect(alarm?.props).toMatchObject({
      Period: period,
      EvaluationPeriods: periods,
      DatapointsToAlarm: periods,
      TreatMissingData: "breaching",
    });
  });
});

describe("routes of every access kind", () => {
  const route = (key: string) =>
    resourcesOf<{ RouteKey: string; AuthorizationType: string }>(synth, "AWS::ApiGatewayV2::Route").find((r) => r.props.RouteKey === key)!;

  it("JWT on member, organizer and admin routes; none on public, optional and the Stripe webhook", () => {
    for (const key of ["GET /me", "POST /events", "POST /events/{eventId}/orders", "GET /ops/payment-health"])
      expect(route(key).props.AuthorizationType, key).toBe("JWT");
    for (const key of ["GET /health", "GET /openapi.json", "GET /events/{eventId}", "POST /webhooks/stripe"])
      expect(route(key).props.AuthorizationType, key).toBe("NONE");
  });

  it("an optional route verifies tokens itself, so it gets our pool's issuer and client id", () => {
    const get = fn("http/events/get");
    const [pool] = resourcesOf(synth, "AWS::Cognito::UserPool", "Api");
    const [client] = resourcesOf(synth, "AWS::Cognito::UserPoolClient", "Api");
    const env = get.props.Environment!.Variables!;
    expect(JSON.stringify(env.COGNITO_ISSUER)).toContain("ProviderURL");
    expect(target(synth, get.stack, env.COGNITO_ISSUER)).toBe(address(pool!));
    expect(target(synth, get.stack, env.COGNITO_CLIENT_ID)).toBe(address(client!));
    expect(managedEnv(fn("http/me"))).not.toContain("COGNITO_ISSUER");
  });

  it("the Stripe webhook gets its signing secret and the queue, stays outside the VPC, and may only SendMessage", () => {
    const webhook = fn("http/webhooks/stripe");
    expect(managedEnv(webhook)).toEqual(expectedEnv({ resources: ["webhook-secret", "webhook-queue", "metrics"] }).sort());
    expect(webhook.props.VpcConfig).toBeUndefined();
    const role = target(synth, webhook.stack, webhook.props.Role)!;
    const sqs = statementsByRole(synth).filter((s) => s.roles.includes(role) && actionsOf(s.statement).some((a) => a.startsWith("sqs:")));
    expect(sqs.map((s) => actionsOf(s.statement))).toEqual([["sqs:SendMessage"]]);
    const queue = resourcesOf<{ RedrivePolicy?: unknown }>(synth, "AWS::SQS::Queue", "Webhooks").find((q) => q.props.RedrivePolicy)!;
    expect(resourcesIn(sqs[0]!.statement).map((r) => target(synth, webhook.stack, r))).toEqual([address(queue)]);
  });

  it("the order route gets the database, Stripe key and data key, with its own timeout and memory", () => {
    const orders = fn("http/orders/create");
    expect(managedEnv(orders)).toEqual(expectedEnv({ resources: ["db", "stripe-key", "data-key"] }).sort());
    expect(orders.props).toMatchObject({ Timeout: 20, MemorySize: 512 });
  });

  it("the webhook signing secret is readable by the webhook route alone", () => {
    const [secret] = resourcesOf<{ Name: string }>(synth, "AWS::SecretsManager::Secret", "Secrets").filter(
      (s) => s.props.Name === "evently/test/stripe-webhook-secret",
    );
    const readers = statementsByRole(synth)
      .filter((s) => actionsOf(s.statement).includes("secretsmanager:GetSecretValue"))
      .filter((s) => resourcesIn(s.statement).some((r) => target(synth, s.source.split("/")[0] as StackName, r) === address(secret!)))
      .flatMap((s) => s.roles);
    const webhook = fn("http/webhooks/stripe");
    expect(readers).toEqual([target(synth, webhook.stack, webhook.props.Role)]);
  });
});

describe("alarm email", () => {
  it("subscribes ALARM_EMAIL to the topic when set at deploy time", () => {
    const subs = resourcesOf<{ Protocol: string; Endpoint: string }>(synth, "AWS::SNS::Subscription");
    expect(subs.map((s) => [s.props.Protocol, s.props.Endpoint])).toEqual([["email", "ops@example.com"]]);
  });
});
