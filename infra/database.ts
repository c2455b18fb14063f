// Database stack: Aurora PostgreSQL 16 Serverless v2 in isolated subnets, reached by Lambdas only through an RDS Proxy.
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import * as rds from "aws-cdk-lib/aws-rds";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { use, type StackContext } from "sst/constructs";
import { Network } from "./network";
import { exportForConsumers, physicalPrefix, stageSettings } from "./stage";

const DB_NAME = "evently";
const DB_PORT = 5432;

export interface DatabaseOutputs {
  cluster: rds.DatabaseCluster;
  proxy: rds.DatabaseProxy;
  /** Generated credentials JSON (username, password, host, port, dbname); functions read it. */
  secret: secretsmanager.ISecret;
  /** What functions connect to (DB_HOST): the proxy, never the cluster directly. */
  host: string;
  name: string;
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
    credentials: rds.Credentials.fromGeneratedSecret("evently_admin"),
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
    iamAuthentication: false,
    backup: { retention: Duration.days(settings.db.backupRetentionDays) },
    deletionProtection: settings.db.protect,
    removalPolicy: settings.db.protect ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    cloudwatchLogsExports: ["postgresql"],
    cloudwatchLogsRetention: settings.prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
  });
  const secret = cluster.secret;
  if (!secret) throw new Error("Aurora cluster has no generated secret");
  // A snapshot restored later still needs the master password it was taken with. cluster.secret is
  // the attachment; the generated secret itself is the cluster's "Secret" child.
  const generated = cluster.node.tryFindChild("Secret");
  if (!(generated instanceof rds.DatabaseSecret)) throw new Error("Aurora cluster has no generated DatabaseSecret");
  if (settings.db.protect) generated.applyRemovalPolicy(RemovalPolicy.RETAIN);

  // Lambdas scale out far beyond what Postgres accepts as connections; the proxy pools them.
  // TLS is required end to end; IAM auth stays off because the functions use the secret.
  const proxy = cluster.addProxy("Proxy", {
    // Proxy names are unique per account and region; CDK would name every stage's proxy "Proxy".
    dbProxyName: `${physicalPrefix(app)}-proxy`,
    secrets: [secret],
    vpc: network.vpc,
    vpcSubnets: network.dataSubnets,
    securityGroups: [proxySecurityGroup],
    requireTLS: true,
    iamAuth: false,
    borrowTimeout: Duration.seconds(30),
    maxConnectionsPercent: 90,
  });
  // Opens PostgreSQL from the app group to the proxy (ingress here, egress on the app group);
  // addProxy already opened the cluster to the proxy.
  proxy.connections.allowFrom(network.appSecurityGroup, ec2.Port.tcp(DB_PORT), "Lambdas to RDS Proxy");

  exportForConsumers(stack, [secret.secretArn, proxy.endpoint]);
  stack.addOutputs({
    ProxyEndpoint: proxy.endpoint,
    ClusterEndpoint: cluster.clusterEndpoint.hostname,
    DbSecretArn: secret.secretArn,
  });

  return { cluster, proxy, secret, host: proxy.endpoint, name: DB_NAME };
}
