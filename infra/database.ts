// Database stack: Aurora PostgreSQL 16 Serverless v2 in isolated subnets, reached by Lambdas only through an RDS Proxy.
import { ArnFormat, Duration, RemovalPolicy, type Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as rds from "aws-cdk-lib/aws-rds";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { use, type StackContext } from "sst/constructs";
import { Network, type NetworkOutputs } from "./network";
import { suppress } from "./nag";
import { exportForConsumers, physicalPrefix, stageSettings } from "./stage";

const DB_NAME = "evently";
export const DB_PORT = 5432;
/** The DML-only role of migration 0010 that every function signs in as (IAM tokens through the proxy). */
export const DB_APP_USER = "evently_app";
/** Aurora's master user: owns the schema; only the migrator (and the rotation) signs in as it. */
const DB_OWNER = "evently_admin";

export interface DatabaseOutputs {
  cluster: rds.DatabaseCluster;
  proxy: rds.DatabaseProxy;
  /** The master credentials JSON (username, password, host, port, dbname), rotated; only the migrator reads it. */
  secret: secretsmanager.ISecret;
  /** What functions connect to (DB_HOST): the proxy, never the cluster directly. */
  host: string;
  name: string;
  /** The one group allowed to reach the cluster itself (the migrator), besides the proxy and the rotation. */
  ownerSecurityGroup: ec2.ISecurityGroup;
}

/**
 * A group for what signs in to the cluster itself with the master password (the migrator, the
 * rotation): PostgreSQL to the cluster, HTTPS to Secrets Manager, and in prod the endpoint's
 * ingress (the cluster's own ingress is opened by the caller; the rotation opens its own). That rule is declared here: CDK would put it in the Network stack, which cannot refer
 * to groups of a stack deployed after it.
 */
function ownerClient(stack: Stack, network: NetworkOutputs, clusterGroup: ec2.SecurityGroup, id: string, who: string): ec2.SecurityGroup {
  const group = new ec2.SecurityGroup(stack, `${id}SecurityGroup`, {
    vpc: network.vpc,
    description: `${who}: PostgreSQL to the cluster, HTTPS to Secrets Manager`,
    allowAllOutbound: false,
  });
  group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "HTTPS to Secrets Manager");
  group.addEgressRule(clusterGroup, ec2.Port.tcp(DB_PORT), "PostgreSQL to Aurora");
  const endpointGroup = network.secretsManagerEndpoint?.connections.securityGroups[0];
  if (endpointGroup) {
    new ec2.CfnSecurityGroupIngress(stack, `EndpointFrom${id}`, {
      groupId: endpointGroup.securityGroupId,
      sourceSecurityGroupId: group.securityGroupId,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: `${who} to Secrets Manager`,
    });
  }
  return group;
}

export function Database({ stack, app }: StackContext): DatabaseOutputs {
  const network = use(Network);
  const settings = stageSettings(app.stage);

  const clusterSecurityGroup = new ec2.SecurityGroup(stack, "ClusterSecurityGroup", {
    vpc: network.vpc,
    description: "Aurora cluster: reachable from the RDS Proxy only",
    allowAllOutbound: false,
  });
  const proxySecurityGroup = new ec2.SecurityGroup(stack, "ProxySecurityGroup", {
    vpc: network.vpc,
    description: "RDS Proxy: reachable from database-bound Lambdas only",
    allowAllOutbound: false,
  });

  const cluster = new rds.DatabaseCluster(stack, "Cluster", {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_8 }),
    credentials: rds.Credentials.fromGeneratedSecret(DB_OWNER),
    defaultDatabaseName: DB_NAME,
    port: DB_PORT,
    writer: rds.ClusterInstance.serverlessV2("Writer", { publiclyAccessible: false }),
    // A reader that scales with the writer is a warm failover target, not a read replica we query.
    readers: Array.from({ length: settings.db.readers }, (_, i) =>
      rds.ClusterInstance.serverlessV2(`Reader${i + 1}`, { scaleWithWriter: true, publiclyAccessible: false }),
    ),
    serverlessV2MinCapacity: settings.db.minCapacity,
    serverlessV2MaxCapacity: settings.db.maxCapacity,
    vpc: network.vpc,
    vpcSubnets: network.dataSubnets,
    securityGroups: [clusterSecurityGroup],
    storageEncrypted: true,
    // The proxy signs in to the cluster with IAM as evently_app (end-to-end IAM below).
    iamAuthentication: true,
    backup: { retention: Duration.days(settings.db.backupRetentionDays) },
    deletionProtection: settings.db.protect,
    removalPolicy: settings.db.protect ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    cloudwatchLogsExports: ["postgresql"],
    cloudwatchLogsRetention: settings.prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
  });
  if (!settings.db.protect)
    suppress(cluster, "RDS10", "Non-prod stages are disposable by design: `sst remove` must delete the database with them");
  const secret = cluster.secret;
  if (!secret) throw new Error("Aurora cluster has no generated secret");
  // A snapshot restored later still needs the master password it was taken with. cluster.secret is
  // the attachment; the generated secret itself is the cluster's "Secret" child.
  const generated = cluster.node.tryFindChild("Secret");
  if (!(generated instanceof rds.DatabaseSecret)) throw new Error("Aurora cluster has no generated DatabaseSecret");
  if (settings.db.protect) generated.applyRemovalPolicy(RemovalPolicy.RETAIN);

  // The master password rotates monthly. The rotation function runs in the app subnets and reaches
  // Secrets Manager through the NAT (or the endpoint in prod) and the cluster directly.
  const rotationSecurityGroup = ownerClient(stack, network, clusterSecurityGroup, "Rotation", "Master secret rotation");
  cluster.addRotationSingleUser({
    automaticallyAfter: Duration.days(30),
    vpcSubnets: network.appSubnets,
    securityGroup: rotationSecurityGroup,
  });

  // Lambdas scale out far beyond what Postgres accepts as connections; the proxy pools them.
  // TLS and IAM are required: functions sign in as evently_app with a token from their role
  // (proxy.grantConnect in access.ts), never with a password.
  const proxy = cluster.addProxy("Proxy", {
    // Proxy names are unique per account and region; CDK would name every stage's proxy "Proxy".
    dbProxyName: `${physicalPrefix(app)}-proxy`,
    secrets: [secret],
    vpc: network.vpc,
    vpcSubnets: network.dataSubnets,
    securityGroups: [proxySecurityGroup],
    requireTLS: true,
    iamAuth: true,
    borrowTimeout: Duration.seconds(30),
    maxConnectionsPercent: 90,
  });
  // End-to-end IAM: the proxy signs in to Aurora as evently_app with its own role instead of a
  // stored password, so the app role has no password anywhere (migration 0010 grants it rds_iam).
  // aws-cdk-lib 2.201 predates `defaultAuthScheme`; the CloudFormation property exists.
  (proxy.node.defaultChild as rds.CfnDBProxy).addPropertyOverride("DefaultAuthScheme", "IAM_AUTH");
  const proxyRole = proxy.node.findChild("IAMRole") as iam.Role;
  proxyRole.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["rds-db:connect"],
      resources: [
        stack.formatArn({
          service: "rds-db",
          resource: "dbuser",
          resourceName: `${cluster.clusterResourceIdentifier}/${DB_APP_USER}`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );

  // Opens PostgreSQL from the app group to the proxy (ingress here, egress on the app group);
  // addProxy already opened the cluster to the proxy.
  proxy.connections.allowFrom(network.appSecurityGroup, ec2.Port.tcp(DB_PORT), "Lambdas to RDS Proxy");

  // The migrator alone talks to the cluster itself, as the owner with the (rotating) master
  // password: schema changes never pass through the app's proxy user.
  const ownerSecurityGroup = ownerClient(stack, network, clusterSecurityGroup, "Owner", "Schema owner (the migrator)");
  cluster.connections.allowFrom(ownerSecurityGroup, ec2.Port.tcp(DB_PORT), "Migrator to Aurora as the owner");

  exportForConsumers(stack, [secret.secretArn, proxy.endpoint, proxy.dbProxyArn]);
  stack.addOutputs({
    ProxyEndpoint: proxy.endpoint,
    ClusterEndpoint: cluster.clusterEndpoint.hostname,
    DbSecretArn: secret.secretArn,
  });

  return { cluster, proxy, secret, host: proxy.endpoint, name: DB_NAME, ownerSecurityGroup };
}
