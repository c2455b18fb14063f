// Deploy configuration and the settings a security review reads: CORS, Cognito, throttling, logs, backups, queues, concurrency — per stage.
import { Stack } from "aws-cdk-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { routes } from "@evently/functions/routes";
import { schedules } from "@evently/functions/schedules";
import { routeKey } from "../../infra/api";
import { HOT_ROUTES } from "../../infra/api-stage";
import { deployConfig } from "../../infra/config";
import { actionsOf, address, functionsByHandler, resourcesIn, resourcesOf, statementsByRole, target, type Located } from "./cfn";
import { PROD_DEPLOY_ENV, synthesize, type Synthesized } from "./synth";

let dev: Synthesized;
let prod: Synthesized;
beforeAll(async () => {
  dev = await synthesize("dev");
  prod = await synthesize("prod");
}, 240_000);

describe("deploy configuration", () => {
  it("prod refuses to synthesize without CORS origins, OAuth URLs and an SES sender, naming each", async () => {
    expect(() => deployConfig("prod", {})).toThrow(
      'Stage "prod" needs CORS_ORIGINS, AUTH_CALLBACK_URLS, AUTH_LOGOUT_URLS, AUTH_EMAIL_FROM in the deploy environment',
    );
    await expect(
      synthesize("prod", { CORS_ORIGINS: "", AUTH_CALLBACK_URLS: "", AUTH_LOGOUT_URLS: "", AUTH_EMAIL_FROM: "" }),
    ).rejects.toThrow("needs CORS_ORIGINS");
  });

  it("rejects a wildcard, a path, plain http outside localhost and a malformed sender", () => {
    const bad = (env: Record<string, string>) => () => deployConfig("prod", { ...PROD_DEPLOY_ENV, ...env });
    expect(bad({ CORS_ORIGINS: "*" })).toThrow('CORS_ORIGINS: "*" is not a URL');
    expect(bad({ CORS_ORIGINS: "https://app.example.com/app" })).toThrow("must be an origin (no path)");
    expect(bad({ AUTH_CALLBACK_URLS: "http://app.example.com/cb" })).toThrow("must be https");
    expect(bad({ AUTH_EMAIL_FROM: "not-an-address" })).toThrow("AUTH_EMAIL_FROM must be an email address");
    expect(() => deployConfig("dev", { CORS_ORIGINS: "http://example.com" })).toThrow("must be https");
  });

  it("dev stages default to a local front end and Cognito's own sender", () => {
    expect(deployConfig("dev", {})).toEqual({
      corsOrigins: ["http://localhost:5173"],
      auth: { callbackUrls: ["http://localhost:5173/auth/callback"], logoutUrls: ["http://localhost:5173/"] },
    });
  });
});

describe("CORS and Cognito (prod)", () => {
  it("allows exactly the configured origins", () => {
    const [api] = resourcesOf<{ CorsConfiguration: { AllowOrigins: string[]; AllowCredentials?: boolean } }>(
      prod,
      "AWS::ApiGatewayV2::Api",
    );
    expect(api!.props.CorsConfiguration.AllowOrigins).toEqual(["https://app.evently.example"]);
  });

  it("offers TOTP (not SMS) MFA and sends mail through SES from the configured sender", () => {
    const [pool] = resourcesOf<Record<string, unknown>>(prod, "AWS::Cognito::UserPool");
    expect(pool!.props.MfaConfiguration).toBe("OPTIONAL");
    expect(pool!.props.EnabledMfas).toEqual(["SOFTWARE_TOKEN_MFA"]);
    const email = pool!.props.EmailConfiguration as { EmailSendingAccount: string; From: string; SourceArn: unknown };
    expect(email.EmailSendingAccount).toBe("DEVELOPER");
    expect(email.From).toBe("no-reply@evently.example");
    expect(JSON.stringify(email.SourceArn)).toContain(":identity/no-reply@evently.example");
  });

  it("keeps a user's verified email until a changed one is verified", () => {
    const [pool] = resourcesOf<Record<string, unknown>>(prod, "AWS::Cognito::UserPool");
    expect(pool!.props.UserAttributeUpdateSettings).toEqual({ AttributesRequireVerificationBeforeUpdate: ["email"] });
  });

  it("holds admins to MFA: the pre-token trigger runs auth/pre-token and may only read users of this pool", () => {
    const [pool] = resourcesOf<{ LambdaConfig: { PreTokenGeneration: unknown } }>(prod, "AWS::Cognito::UserPool");
    const trigger = functionsByHandler(prod).get("packages/functions/src/auth/pre-token.handler")!;
    expect(target(prod, pool!.stack, pool!.props.LambdaConfig.PreTokenGeneration)).toBe(address(trigger));
    expect(trigger.props.VpcConfig).toBeUndefined();
    const role = target(prod, trigger.stack, trigger.props.Role);
    const cognitoStatements = statementsByRole(prod).filter(
      (s) => s.roles.includes(role!) && actionsOf(s.statement).some((a) => a.startsWith("cognito-idp:")),
    );
    expect(cognitoStatements.map((s) => actionsOf(s.statement))).toEqual([["cognito-idp:AdminGetUser"]]);
    expect(resourcesIn(cognitoStatements[0]!.statement).map((r) => target(prod, trigger.stack, r))).toEqual([address(pool!)]);
  });

  it("the web client: no secret, authorization code only (no implicit), the configured callback and logout URLs", () => {
    const [client] = resourcesOf<Record<string, unknown>>(prod, "AWS::Cognito::UserPoolClient");
    expect(client!.props).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: ["https://app.evently.example/auth/callback"],
      LogoutURLs: ["https://app.evently.example/"],
      SupportedIdentityProviders: ["COGNITO"],
      EnableTokenRevocation: true,
    });
  });
});

type StageProps = {
  StageName: string;
  AutoDeploy: boolean;
  DefaultRouteSettings: { ThrottlingRateLimit: number; ThrottlingBurstLimit: number };
  RouteSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
  AccessLogSettings: { DestinationArn: unknown; Format: string };
};
const stageOf = (s: Synthesized) => resourcesOf<StageProps>(s, "AWS::ApiGatewayV2::Stage")[0]!;
const retentionOf = (s: Synthesized, stage: Located<StageProps>) =>
  resourcesOf<{ RetentionInDays: number }>(s, "AWS::Logs::LogGroup").find(
    (g) => address(g) === target(s, stage.stack, stage.props.AccessLogSettings.DestinationArn),
  )?.props.RetentionInDays;

describe("API stage", () => {
  it("every hot route names a route of routes.ts", () => {
    const keys = new Set(routes.map(routeKey));
    for (const key of Object.keys(HOT_ROUTES)) expect(keys, key).toContain(key);
  });

  it("prod: 500/s (burst 1,000) by default, the hot routes lower, access logs kept 90 days", () => {
    const stage = stageOf(prod);
    expect(stage.props).toMatchObject({
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
    });
    expect(Object.keys(stage.props.RouteSettings).sort()).toEqual(Object.keys(HOT_ROUTES).sort());
    expect(stage.props.RouteSettings["POST /events/{eventId}/orders"]).toEqual({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    expect(stage.props.RouteSettings["POST /webhooks/stripe"]).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    for (const t of Object.values(stage.props.RouteSettings)) expect(t.ThrottlingRateLimit).toBeLessThan(500);
    expect(JSON.parse(stage.props.AccessLogSettings.Format)).toMatchObject({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
    });
    expect(retentionOf(prod, stage)).toBe(90);
  });

  it("dev: a tenth of prod's limits, access logs kept 14 days", () => {
    const stage = stageOf(dev);
    expect(stage.props.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(stage.props.RouteSettings["POST /events/{eventId}/orders"]).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    expect(retentionOf(dev, stage)).toBe(14);
  });

  it("deploys after every route stack (its route settings name their routes)", () => {
    const stacks = prod.app.node.children.filter((c): c is Stack => c instanceof Stack);
    const apiStage = stacks.find((s) => s.node.id === "prod-evently-ApiStage")!;
    const routeStacks = stacks.filter((s) => s.node.id.startsWith("prod-evently-ApiRoutes-"));
    expect(routeStacks.length).toBeGreaterThan(5);
    expect(apiStage.dependencies).toEqual(expect.arrayContaining(routeStacks));
  });
});

describe("concurrency, memory, logs, backups and queues", () => {
  const reserved = (s: Synthesized) =>
    new Map(
      [...functionsByHandler(s).values()].map((f) => [
        f.props.Handler!,
        (f.props as { ReservedConcurrentExecutions?: number }).ReservedConcurrentExecutions,
      ]),
    );

  it("prod reserves the webhook consumer's ceiling and two per job, nothing for API routes; dev reserves nothing", () => {
    const p = reserved(prod);
    expect(p.get("packages/functions/src/queue/webhook-processor.handler")).toBe(10);
    for (const job of schedules) expect(p.get(`packages/functions/src/${job.handler}.handler`), job.name).toBe(2);
    for (const route of routes) expect(p.get(`packages/functions/src/${route.handler}.handler`), routeKey(route)).toBeUndefined();
    expect([...reserved(dev).values()].filter((v) => v !== undefined)).toEqual([]);
  });

  it("API functions get the manifest's memory (1,024 MB by default)", () => {
    const fns = functionsByHandler(prod);
    for (const route of routes) {
      expect(
        (fns.get(`packages/functions/src/${route.handler}.handler`)!.props as { MemorySize?: number }).MemorySize,
        routeKey(route),
      ).toBe(route.memoryMB ?? 1024);
    }
  });

  it("function logs are kept 14 days in dev and 90 in prod; Aurora keeps 1 and 14 days of backups", () => {
    for (const [s, days, backups] of [
      [dev, 14, 1],
      [prod, 90, 14],
    ] as const) {
      const retention = new Set(resourcesOf<{ RetentionInDays: number }>(s, "Custom::LogRetention").map((r) => r.props.RetentionInDays));
      expect([...retention]).toEqual([days]);
      expect(resourcesOf<{ BackupRetentionPeriod: number }>(s, "AWS::RDS::DBCluster")[0]!.props.BackupRetentionPeriod).toBe(backups);
    }
  });

  it("every queue (webhooks, provider tasks, mail, their DLQs) is encrypted and refuses requests without TLS", () => {
    const queues = resourcesOf<{ SqsManagedSseEnabled?: boolean }>(prod, "AWS::SQS::Queue");
    expect(queues.map((q) => q.stack).sort()).toEqual(["Mail", "Mail", "ProviderTasks", "ProviderTasks", "Webhooks", "Webhooks"]);
    const policies = resourcesOf<{ Queues: unknown[]; PolicyDocument: { Statement: { Effect: string; Condition?: unknown }[] } }>(
      prod,
      "AWS::SQS::QueuePolicy",
    );
    for (const q of queues) {
      expect(q.props.SqsManagedSseEnabled, q.id).toBe(true);
      const policy = policies.find((p) => p.props.Queues.some((r) => target(prod, p.stack, r) === address(q)));
      expect(policy?.props.PolicyDocument.Statement, q.id).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
    }
  });

  it("RDS Proxy waits at most 30 s for a connection and opens at most 90 % of max_connections", () => {
    const [group] = resourcesOf<{ ConnectionPoolConfigurationInfo: Record<string, number> }>(prod, "AWS::RDS::DBProxyTargetGroup");
    expect(group!.props.ConnectionPoolConfigurationInfo).toMatchObject({ ConnectionBorrowTimeout: 30, MaxConnectionsPercent: 90 });
  });
});

describe("bundling per stage", () => {
  it("prod functions start without --enable-source-maps and ship no source maps; dev stages have both", () => {
    for (const [s, debug] of [
      [dev, true],
      [prod, false],
    ] as const) {
      const functions = [...functionsByHandler(s).values()];
      expect(functions.length).toBeGreaterThan(0);
      for (const fn of functions) {
        const nodeOptions = fn.props.Environment?.Variables?.NODE_OPTIONS;
        expect(nodeOptions, fn.props.Handler).toBe(debug ? "--enable-source-maps" : undefined);
      }
      expect(s.bundled.length).toBeGreaterThan(0);
      for (const request of s.bundled) {
        expect(request.nodejs, request.handler).toMatchObject({ format: "esm", minify: true, splitting: true });
        expect(request.nodejs?.sourcemap, request.handler).toBe(debug ? true : undefined);
      }
    }
  });
});
