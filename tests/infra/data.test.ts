// Aurora PostgreSQL 16 Serverless v2 in isolated subnets behind an RDS Proxy, the network around it, and the migration Script.
import { getStack } from "sst/constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { Jobs, Migrations, ROUTE_STACKS, Webhooks } from "../../infra";
import { actionsOf, address, functionsByHandler, resourcesOf, statementsByRole, target, type Located } from "./cfn";
import { synthesize, type Synthesized } from "./synth";

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

type Tagged = { Tags: { Key: string; Value: string }[] };
const subnetsOfType = (s: Synthesized, type: "Public" | "Private" | "Isolated") =>
  resourcesOf<Tagged>(s, "AWS::EC2::Subnet", "Network")
    .filter((r) => r.props.Tags.some((t) => t.Key === "aws-cdk:subnet-type" && t.Value === type))
    .map(address)
    .sort();

const refs = (s: Synthesized, stack: Located["stack"], values: unknown[]) => values.map((v) => target(s, stack, v)).sort();

describe("Aurora", () => {
  it("is Aurora PostgreSQL 16 Serverless v2, encrypted, with a generated secret", () => {
    const clusters = resourcesOf<Record<string, unknown>>(synth, "AWS::RDS::DBCluster");
    expect(clusters).toHaveLength(1);
    const c = clusters[0]!.props;
    expect(c.Engine).toBe("aurora-postgresql");
    expect(c.EngineVersion).toMatch(/^16\.\d+$/);
    expect(c.ServerlessV2ScalingConfiguration).toEqual({ MinCapacity: 0.5, MaxCapacity: 4 });
    expect(c.StorageEncrypted).toBe(true);
    // The proxy signs in to the cluster with IAM as the app role (end-to-end IAM).
    expect(c.EnableIAMDatabaseAuthentication).toBe(true);
    expect(JSON.stringify(c.MasterUserPassword)).toContain("resolve:secretsmanager");
    const instances = resourcesOf<{ DBInstanceClass: string; PubliclyAccessible: boolean }>(synth, "AWS::RDS::DBInstance");
    expect(instances.map((i) => i.props.DBInstanceClass)).toEqual(["db.serverless"]);
    expect(instances.every((i) => i.props.PubliclyAccessible === false)).toBe(true);
  });

  it("lives in exactly the VPC's isolated subnets", () => {
    const [group] = resourcesOf<{ SubnetIds: unknown[] }>(synth, "AWS::RDS::DBSubnetGroup", "Database");
    const isolated = subnetsOfType(synth, "Isolated");
    expect(isolated).toHaveLength(2);
    expect(refs(synth, "Database", group!.props.SubnetIds)).toEqual(isolated);
  });

  it("is reached through an RDS Proxy that requires TLS and IAM end to end, and sits in the isolated subnets", () => {
    const proxies = resourcesOf<{
      RequireTLS: boolean;
      EngineFamily: string;
      DBProxyName: string;
      Auth: { AuthScheme: string; IAMAuth: string; SecretArn: unknown }[];
      VpcSubnetIds: unknown[];
      DefaultAuthScheme: string;
      RoleArn: unknown;
    }>(synth, "AWS::RDS::DBProxy", "Database");
    expect(proxies).toHaveLength(1);
    const p = proxies[0]!.props;
    const [attachment] = resourcesOf(synth, "AWS::SecretsManager::SecretTargetAttachment", "Database");
    expect(p).toMatchObject({ RequireTLS: true, EngineFamily: "POSTGRESQL", DBProxyName: "test-evently-proxy" });
    expect(p.Auth).toHaveLength(1);
    // Clients need an IAM token for every user; the proxy reaches Aurora as evently_app with its own role.
    expect(p.Auth[0]).toMatchObject({ AuthScheme: "SECRETS", IAMAuth: "REQUIRED" });
    expect(p.DefaultAuthScheme).toBe("IAM_AUTH");
    const proxyRole = target(synth, "Database", p.RoleArn);
    const connect = statementsByRole(synth).filter(
      (s) => s.roles.includes(proxyRole!) && actionsOf(s.statement).includes("rds-db:connect"),
    );
    expect(connect).toHaveLength(1);
    const [cluster] = resourcesOf(synth, "AWS::RDS::DBCluster");
    expect(JSON.stringify(connect[0]!.statement.Resource)).toContain(
      `{"Fn::GetAtt":["${cluster!.id}","DBClusterResourceId"]},"/evently_app"`,
    );
    expect(target(synth, "Database", p.Auth[0]!.SecretArn)).toBe(address(attachment!));
    expect(refs(synth, "Database", p.VpcSubnetIds)).toEqual(subnetsOfType(synth, "Isolated"));
  });
});

describe("network", () => {
  type SgProps = { GroupDescription: string; SecurityGroupIngress?: Rule[]; SecurityGroupEgress?: Rule[] };
  type Rule = { FromPort: number; ToPort: number; CidrIp?: string; SourceSecurityGroupId?: unknown; DestinationSecurityGroupId?: unknown };
  const rulesFor = (s: Synthesized, type: string, key: "GroupId", groupAddr: string) =>
    resourcesOf<Rule & { GroupId: unknown }>(s, type).filter((r) => target(s, r.stack, r.props[key]) === groupAddr);
  const sg = (s: Synthesized, description: string) =>
    resourcesOf<SgProps>(s, "AWS::EC2::SecurityGroup").find((g) => g.props.GroupDescription.startsWith(description))!;

  it("opens PostgreSQL only Lambda → proxy → cluster (plus the migrator and the rotation to the cluster), and Lambdas egress only HTTPS plus the proxy", () => {
    const app = sg(synth, "Lambdas that use the database");
    const proxy = sg(synth, "RDS Proxy");
    const cluster = sg(synth, "Aurora cluster");
    const owner = sg(synth, "Schema owner");
    const rotation = sg(synth, "Master secret rotation");

    const proxyIngress = [
      ...(proxy.props.SecurityGroupIngress ?? []),
      ...rulesFor(synth, "AWS::EC2::SecurityGroupIngress", "GroupId", address(proxy)).map((r) => r.props),
    ];
    expect(proxyIngress.map((r) => [r.FromPort, r.ToPort, target(synth, proxy.stack, r.SourceSecurityGroupId)])).toEqual([
      [5432, 5432, address(app)],
    ]);

    // addProxy opens the cluster's own port, so the rule reads it from the cluster endpoint.
    const [db] = resourcesOf<{ Port: number }>(synth, "AWS::RDS::DBCluster");
    expect(db!.props.Port).toBe(5432);
    const port = (p: unknown) => (typeof p === "number" ? p : target(synth, "Database", p) === address(db!) ? db!.props.Port : p);
    const clusterIngress = [
      ...(cluster.props.SecurityGroupIngress ?? []),
      ...rulesFor(synth, "AWS::EC2::SecurityGroupIngress", "GroupId", address(cluster)).map((r) => r.props),
    ];
    expect(
      clusterIngress.map((r) => [port(r.FromPort), port(r.ToPort), target(synth, cluster.stack, r.SourceSecurityGroupId)]).sort(),
    ).toEqual(
      [
        [5432, 5432, address(proxy)],
        [5432, 5432, address(owner)],
        [5432, 5432, address(rotation)],
      ].sort(),
    );
    const migrate = functionsByHandler(synth).get("packages/functions/src/ops/migrate.handler")!;
    expect(migrate.props.VpcConfig?.SecurityGroupIds.map((g) => target(synth, migrate.stack, g))).toEqual([address(owner)]);

    const appEgress = [
      ...(app.props.SecurityGroupEgress ?? []),
      ...rulesFor(synth, "AWS::EC2::SecurityGroupEgress", "GroupId", address(app)).map((r) => r.props),
    ];
    const described = appEgress
      .map((r) => `${r.FromPort}-${r.ToPort}:${r.CidrIp ?? target(synth, "Database", r.DestinationSecurityGroupId)}`)
      .sort();
    expect(described).toEqual([`443-443:0.0.0.0/0`, `5432-5432:${address(proxy)}`]);
  });

  it("has one NAT gateway and no interface endpoint, and the isolated subnets have no route out", () => {
    expect(resourcesOf(synth, "AWS::EC2::NatGateway")).toHaveLength(1);
    expect(resourcesOf(synth, "AWS::EC2::VPCEndpoint")).toHaveLength(0);
    const isolated = new Set(subnetsOfType(synth, "Isolated"));
    const isolatedTables = resourcesOf<{ SubnetId: unknown; RouteTableId: unknown }>(
      synth,
      "AWS::EC2::SubnetRouteTableAssociation",
      "Network",
    )
      .filter((a) => isolated.has(target(synth, "Network", a.props.SubnetId) ?? ""))
      .map((a) => target(synth, "Network", a.props.RouteTableId));
    expect(isolatedTables).toHaveLength(2);
    const routes = resourcesOf<{ RouteTableId: unknown }>(synth, "AWS::EC2::Route", "Network");
    expect(routes.filter((r) => isolatedTables.includes(target(synth, "Network", r.props.RouteTableId)))).toEqual([]);
  });
});

describe("migrations", () => {
  it("an SST Script runs ops/migrate on create and update, in the VPC, as the owner straight to the cluster", () => {
    const migrate = functionsByHandler(synth).get("packages/functions/src/ops/migrate.handler");
    expect(migrate?.stack).toBe("Migrations");
    const env = migrate!.props.Environment?.Variables ?? {};
    expect(Object.keys(env)).toEqual(expect.arrayContaining(["DB_SECRET_ARN", "DB_HOST", "DB_NAME"]));
    expect(Object.keys(env)).not.toContain("DB_IAM_AUTH");
    const [cluster] = resourcesOf(synth, "AWS::RDS::DBCluster");
    expect(target(synth, "Migrations", env.DB_HOST)).toBe(address(cluster!));
    // verify-full against the cluster's RDS CA certificate needs the runtime's Amazon CA bundle.
    expect(env.NODE_EXTRA_CA_CERTS).toBe("/var/runtime/ca-cert.pem");
    expect(migrate!.props.VpcConfig).toBeDefined();
    const [script] = resourcesOf<{ UserCreateFunction: unknown; UserUpdateFunction: unknown; UserDeleteFunction?: unknown }>(
      synth,
      "Custom::SSTScript",
    );
    expect(target(synth, script!.stack, script!.props.UserCreateFunction)).toBe(address(migrate!));
    expect(target(synth, script!.stack, script!.props.UserUpdateFunction)).toBe(address(migrate!));
    expect(script!.props.UserDeleteFunction).toBeUndefined();
  });

  it("every stack that ships handler code deploys after the migrations", () => {
    const migrations = getStack(Migrations);
    for (const fn of [Webhooks, Jobs, ...ROUTE_STACKS]) expect(getStack(fn).dependencies, fn.name).toContain(migrations);
  });
});

describe("prod stage", () => {
  let prod: Synthesized;
  beforeAll(async () => {
    prod = await synthesize("prod");
  });

  it("adds a reader that scales with the writer, more capacity, deletion protection and a final snapshot", () => {
    const [cluster] = resourcesOf<Record<string, unknown>>(prod, "AWS::RDS::DBCluster");
    expect(cluster!.props.DeletionProtection).toBe(true);
    expect(cluster!.props.ServerlessV2ScalingConfiguration).toEqual({ MinCapacity: 0.5, MaxCapacity: 16 });
    expect(cluster!.resource.DeletionPolicy).toBe("Snapshot");
    expect(cluster!.resource.UpdateReplacePolicy).toBe("Snapshot");
    const instances = resourcesOf<{ DBInstanceClass: string; PromotionTier: number }>(prod, "AWS::RDS::DBInstance");
    expect(instances.map((i) => [i.props.DBInstanceClass, i.props.PromotionTier]).sort()).toEqual([
      ["db.serverless", 0],
      ["db.serverless", 1],
    ]);
  });

  it("has one NAT gateway plus a Secrets Manager endpoint open only to the groups that read secrets", () => {
    expect(resourcesOf(prod, "AWS::EC2::NatGateway")).toHaveLength(1);
    const endpoints = resourcesOf<{
      ServiceName: unknown;
      VpcEndpointType: string;
      PrivateDnsEnabled: boolean;
      SecurityGroupIds: unknown[];
    }>(prod, "AWS::EC2::VPCEndpoint");
    expect(endpoints).toHaveLength(1);
    expect(JSON.stringify(endpoints[0]!.props.ServiceName)).toContain("secretsmanager");
    expect(endpoints[0]!.props).toMatchObject({ VpcEndpointType: "Interface", PrivateDnsEnabled: true });
    const endpointGroup = target(prod, "Network", endpoints[0]!.props.SecurityGroupIds[0]);
    const groups = resourcesOf<{ GroupDescription: string }>(prod, "AWS::EC2::SecurityGroup");
    const describe = (stack: Located["stack"], ref: unknown) =>
      groups.find((g) => address(g) === target(prod, stack, ref))?.props.GroupDescription.split(":")[0];
    const sources = resourcesOf<{ GroupId: unknown; SourceSecurityGroupId: unknown; FromPort: number }>(
      prod,
      "AWS::EC2::SecurityGroupIngress",
    )
      .filter((r) => target(prod, r.stack, r.props.GroupId) === endpointGroup)
      .map((r) => [r.props.FromPort, describe(r.stack, r.props.SourceSecurityGroupId)]);
    expect(sources.sort()).toEqual([
      [443, "Lambdas that use the database"],
      [443, "Master secret rotation"],
      [443, "Schema owner (the migrator)"],
    ]);
    const [group] = resourcesOf<{ SecurityGroupIngress?: unknown[] }>(prod, "AWS::EC2::SecurityGroup").filter(
      (g) => address(g) === endpointGroup,
    );
    expect(group!.props.SecurityGroupIngress ?? []).toEqual([]);
  });

  it("rotates the Aurora master secret every 30 days", () => {
    const [attachment] = resourcesOf(prod, "AWS::SecretsManager::SecretTargetAttachment");
    // The ticket signing keys rotate too (their own test); this is the one on Aurora's credentials.
    const schedule = resourcesOf<{ SecretId: unknown; RotationRules: { ScheduleExpression?: string; AutomaticallyAfterDays?: number } }>(
      prod,
      "AWS::SecretsManager::RotationSchedule",
    ).find((s) => target(prod, s.stack, s.props.SecretId) === address(attachment!));
    expect(schedule!.props.RotationRules).toEqual({ ScheduleExpression: "rate(30 days)" });
  });

  it("retains the secrets and the user pool when the stack goes away", () => {
    const secrets = resourcesOf(prod, "AWS::SecretsManager::Secret");
    expect(secrets).toHaveLength(6); // Stripe key, webhook secret, data keyring, index key, Aurora credentials, ticket signing keys
    for (const secret of secrets) expect(secret.resource.DeletionPolicy, secret.id).toBe("Retain");
    const [pool] = resourcesOf(prod, "AWS::Cognito::UserPool");
    expect(pool!.resource.DeletionPolicy).toBe("Retain");
  });
});
