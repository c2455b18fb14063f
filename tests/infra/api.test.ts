// The HTTP API and every function's access: routes.ts → routes, JWT authorizer, handlers, env, VPC, and least-privilege IAM.
import { MAIL_SENDER } from "../../infra/mail";
import { beforeAll, describe, expect, it } from "vitest";
import { handlerPath, needsAuthorizer, type Resource, type RouteDef } from "@evently/functions/manifest";
import { consumers } from "@evently/functions/consumers";
import { routes } from "@evently/functions/routes";
import { schedules } from "@evently/functions/schedules";
import { ENV_CONTRACT } from "@evently/functions/lib/metric-names";
import { expectedEnv, MANAGED_ENV, SECRET_RESOURCES, secretName, secretNames, type SecretResource } from "./expected";
import {
  actionsOf,
  address,
  functionsByHandler,
  resourcesIn,
  resourcesOf,
  statementsByRole,
  target,
  type LambdaProps,
  type Located,
} from "./cfn";
import { synthesize, type Synthesized } from "./synth";

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

interface RouteProps {
  RouteKey: string;
  AuthorizationType: string;
  AuthorizerId?: unknown;
  Target: { "Fn::Join": [string, unknown[]] };
}

const key = (r: Pick<RouteDef, "method" | "path">) => `${r.method} ${r.path}`;

/** Routes live in the route stacks (one per handler folder), wherever that is. */
function apiRoutes(): Map<string, Located<RouteProps>> {
  return new Map(resourcesOf<RouteProps>(synth, "AWS::ApiGatewayV2::Route").map((r) => [r.props.RouteKey, r]));
}

/** Route → integration → the Lambda it invokes. */
function functionOf(route: Located<RouteProps>): Located<LambdaProps> {
  const integrationRef = route.props.Target["Fn::Join"][1][1];
  const integrationAddr = target(synth, route.stack, integrationRef);
  const integration = resourcesOf<{ IntegrationUri: unknown }>(synth, "AWS::ApiGatewayV2::Integration").find(
    (i) => address(i) === integrationAddr,
  );
  const fnAddr = integration && target(synth, integration.stack, integration.props.IntegrationUri);
  const fn = resourcesOf<LambdaProps>(synth, "AWS::Lambda::Function").find((f) => address(f) === fnAddr);
  if (!fn) throw new Error(`No function behind ${route.props.RouteKey}`);
  return fn;
}

describe("routes", () => {
  it("the API has exactly the manifest's routes (method + path)", () => {
    expect([...apiRoutes().keys()].sort()).toEqual(routes.map(key).sort());
  });

  it("the JWT authorizer sits on exactly the routes needsAuthorizer names", () => {
    const [authorizer] = resourcesOf(synth, "AWS::ApiGatewayV2::Authorizer", "Api");
    const byKey = apiRoutes();
    for (const route of routes) {
      const r = byKey.get(key(route));
      if (needsAuthorizer(route)) {
        expect(r?.props.AuthorizationType, key(route)).toBe("JWT");
        expect(target(synth, r!.stack, r?.props.AuthorizerId), key(route)).toBe(authorizer && address(authorizer));
      } else {
        expect(r?.props.AuthorizationType, key(route)).toBe("NONE");
        expect(r?.props.AuthorizerId, key(route)).toBeUndefined();
      }
    }
  });

  it("the authorizer trusts only our Cognito user pool and app client", () => {
    const authorizers = resourcesOf<{
      AuthorizerType: string;
      IdentitySource: string[];
      JwtConfiguration: { Issuer: unknown; Audience: unknown[] };
    }>(synth, "AWS::ApiGatewayV2::Authorizer", "Api");
    expect(authorizers).toHaveLength(1);
    const [pool] = resourcesOf(synth, "AWS::Cognito::UserPool", "Api");
    const [client] = resourcesOf(synth, "AWS::Cognito::UserPoolClient", "Api");
    const a = authorizers[0]!.props;
    expect(a.AuthorizerType).toBe("JWT");
    expect(a.IdentitySource).toEqual(["$request.header.Authorization"]);
    expect(JSON.stringify(a.JwtConfiguration.Issuer)).toContain("cognito-idp.");
    expect(JSON.stringify(a.JwtConfiguration.Issuer)).toContain(JSON.stringify({ Ref: pool!.id }));
    expect(a.JwtConfiguration.Audience.map((v) => target(synth, "Api", v))).toEqual([address(client!)]);
  });

  it("the role groups the handlers check exist in the user pool", () => {
    const groups = resourcesOf<{ GroupName: string }>(synth, "AWS::Cognito::UserPoolGroup", "Api");
    expect(groups.map((g) => g.props.GroupName).sort()).toEqual(["admin", "organizer"]);
  });
});

describe("route functions", () => {
  it("each route invokes a Lambda built from its manifest handler, with the app's runtime defaults", () => {
    const byKey = apiRoutes();
    for (const route of routes) {
      const fn = functionOf(byKey.get(key(route))!).props;
      expect(fn.Handler, key(route)).toBe(handlerPath(route.handler));
      expect(fn.Runtime).toBe("nodejs22.x");
      expect(fn.Architectures).toEqual(["arm64"]);
      expect(fn.TracingConfig).toEqual({ Mode: "Active" });
      // Lambda's timeout is the manifest's time limit, the one the local server enforces too.
      expect(fn.Timeout, key(route)).toBe(route.timeoutSeconds);
      expect(fn.Timeout!).toBeLessThanOrEqual(30); // API Gateway's integration limit
      const env = fn.Environment?.Variables ?? {};
      expect(env).toMatchObject({ POWERTOOLS_SERVICE_NAME: "evently", POWERTOOLS_METRICS_NAMESPACE: "Evently" });
    }
  });

  it("every route's handler goes to SST's bundler as minified, split ESM with sourcemaps, pg-native and the runtime's AWS SDK left out, failpoints compiled out", () => {
    for (const route of routes) {
      const request = synth.bundled.find((b) => b.handler === handlerPath(route.handler));
      expect(request?.nodejs, key(route)).toEqual({
        format: "esm",
        minify: true,
        sourcemap: true,
        splitting: true,
        esbuild: { external: ["pg-native", "@aws-sdk/client-*", "@aws-sdk/core"], define: { __EVENTLY_FAILPOINTS__: "false" } },
      });
    }
  });

  it("each function receives exactly the env vars of its resources (ENV_CONTRACT + Cognito for optional auth)", () => {
    const byKey = apiRoutes();
    for (const route of routes) {
      const env = functionOf(byKey.get(key(route))!).props.Environment?.Variables ?? {};
      const managed = Object.keys(env)
        .filter((k) => MANAGED_ENV.has(k))
        .sort();
      expect(managed, key(route)).toEqual(expectedEnv(route).sort());
    }
    expect([...MANAGED_ENV]).toEqual(expect.arrayContaining([...ENV_CONTRACT]));
  });

  it("database-bound functions run in the app subnets behind the app security group; the rest stay outside the VPC", () => {
    const appSubnets = resourcesOf<{ Tags: { Key: string; Value: string }[] }>(synth, "AWS::EC2::Subnet", "Network")
      .filter((s) => s.props.Tags.some((t) => t.Key === "aws-cdk:subnet-name" && t.Value === "app"))
      .map(address);
    const appSg = resourcesOf<{ GroupDescription: string }>(synth, "AWS::EC2::SecurityGroup", "Network").find(
      (g) => g.props.GroupDescription === "Lambdas that use the database",
    );
    for (const fn of functionsByHandler(synth).values()) {
      const route = routes.find((r) => handlerPath(r.handler) === fn.props.Handler);
      if (!route) continue;
      if (route.resources.includes("db")) {
        expect(fn.props.VpcConfig?.SubnetIds.map((s) => target(synth, fn.stack, s)).sort(), key(route)).toEqual(appSubnets.sort());
        expect(
          fn.props.VpcConfig?.SecurityGroupIds.map((s) => target(synth, fn.stack, s)),
          key(route),
        ).toEqual([address(appSg!)]);
      } else {
        expect(fn.props.VpcConfig, key(route)).toBeUndefined();
      }
    }
  });
});

/** Every function we deploy and the resources its contract names (mirrors the manifests). */
function contracts(): { handler: string; resources: readonly Resource[] }[] {
  return [
    ...routes.map((r) => ({ handler: handlerPath(r.handler), resources: r.resources })),
    ...schedules.map((j) => ({ handler: handlerPath(j.handler), resources: j.resources })),
    ...consumers.map((c) => ({ handler: handlerPath(c.handler), resources: c.resources })),
    { handler: handlerPath("ops/migrate"), resources: ["db"] },
    { handler: handlerPath(MAIL_SENDER.handler), resources: MAIL_SENDER.resources },
    // Reads the key set it rotates (granted with the rotation schedule, not from a manifest).
    { handler: handlerPath("ops/rotate-ticket-key"), resources: ["ticket-key"] },
  ];
}

/** Secret resource kind → the address of the secret (or the Aurora secret's attachment) in the template. */
function secretAddresses(): Map<string, SecretResource> {
  const map = new Map<string, SecretResource>();
  for (const s of resourcesOf<{ Name?: string }>(synth, "AWS::SecretsManager::Secret", "Secrets")) {
    const kind = (["stripe-key", "webhook-secret", "data-key"] as const).find((k) => secretNames("test", k).includes(s.props.Name ?? ""));
    if (!kind) throw new Error(`Unexpected secret ${s.id}`);
    map.set(address(s), kind);
  }
  const [ticketKeys] = resourcesOf<{ Name?: string }>(synth, "AWS::SecretsManager::Secret", "TicketKeys");
  if (ticketKeys?.props.Name !== secretName("test", "ticket-key")) throw new Error("The ticket signing keys secret is missing");
  map.set(address(ticketKeys!), "ticket-key");
  const [attachment] = resourcesOf(synth, "AWS::SecretsManager::SecretTargetAttachment", "Database");
  map.set(address(attachment!), "db");
  return map;
}

describe("IAM", () => {
  it("no statement grants '*' or 'service:*' actions, or uses NotAction", () => {
    const statements = statementsByRole(synth);
    expect(statements.length).toBeGreaterThan(10);
    for (const { statement, source } of statements) {
      expect(statement.NotAction, source).toBeUndefined();
      for (const action of actionsOf(statement)) expect(action, source).not.toMatch(/(^\*$)|(:\*$)/);
    }
  });

  it("secrets and queues are granted on their own ARNs, never on '*'", () => {
    for (const { statement, source } of statementsByRole(synth)) {
      if (!actionsOf(statement).some((a) => /^(secretsmanager|sqs|rds-db|kms):/.test(a))) continue;
      expect(resourcesIn(statement), source).not.toContain("*");
    }
  });

  it("each secret is readable only by the functions whose resources include it; Aurora's master secret by the proxy and the migrator alone", () => {
    const secrets = secretAddresses();
    expect(new Set(secrets.values())).toEqual(new Set(SECRET_RESOURCES));
    const functions = functionsByHandler(synth);
    const [proxyRole] = resourcesOf(synth, "AWS::IAM::Role", "Database").filter((r) => r.id.startsWith("ClusterProxyIAMRole"));

    // Who may read which secret, per the template.
    const readers = new Map<SecretResource, Set<string>>(SECRET_RESOURCES.map((k) => [k, new Set<string>()]));
    for (const s of statementsByRole(synth)) {
      if (!actionsOf(s.statement).includes("secretsmanager:GetSecretValue")) continue;
      const stack = s.source.split("/")[0] as keyof Synthesized["templates"];
      for (const resource of resourcesIn(s.statement)) {
        const kind = secrets.get(target(synth, stack, resource) ?? "");
        expect(kind, `${s.source} reads something that is not one of our secrets`).toBeDefined();
        for (const role of s.roles) readers.get(kind!)!.add(role);
      }
    }

    // Who should, per the manifests.
    for (const kind of SECRET_RESOURCES) {
      const migrate = functions.get(handlerPath("ops/migrate"))!;
      const expected = new Set<string>(kind === "db" ? [address(proxyRole!), target(synth, migrate.stack, migrate.props.Role)!] : []);
      // Database functions sign in with IAM tokens (rds-db:connect), never with the master password.
      if (kind === "db") {
        expect([...readers.get(kind)!].sort()).toEqual([...expected].sort());
        continue;
      }
      for (const c of contracts()) {
        const fn = functions.get(c.handler);
        expect(fn, c.handler).toBeDefined();
        if (c.resources.includes(kind)) expected.add(target(synth, fn!.stack, fn!.props.Role)!);
      }
      expect([...readers.get(kind)!].sort(), kind).toEqual([...expected].sort());
    }
  });
});
