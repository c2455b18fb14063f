// Migrations stack: an SST Script that runs the Kysely migrations against Aurora, as the schema owner, on every deploy.
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { NagSuppressions } from "cdk-nag";
import { Function as SstFunction, Script, use, type StackContext } from "sst/constructs";
import { handlerPath } from "@evently/functions/manifest";
import { Alerts, watchFunction } from "./alerts";
import { MIGRATE } from "./contracts";
import { Database } from "./database";
import { Network } from "./network";

export interface MigrationsOutputs {
  migrate: SstFunction;
}

export function Migrations({ stack }: StackContext): MigrationsOutputs {
  const network = use(Network);
  const database = use(Database);
  const { topic } = use(Alerts);

  // Unlike every other function it connects to the cluster itself (not the proxy) with the master
  // password, read uncached so a rotation between two deploys never locks it out. It is the only
  // function that can read that secret or reach the cluster (ownerSecurityGroup).
  const migrate = new SstFunction(stack, "Migrate", {
    handler: handlerPath(MIGRATE.handler),
    description: `Kysely migrations to latest (${MIGRATE.handler})`,
    timeout: MIGRATE.timeoutSeconds,
    // Script functions may not be live-proxied by `sst dev`: the deploy must run the real code.
    enableLiveDev: false,
    environment: {
      DB_SECRET_ARN: database.secret.secretArn,
      DB_HOST: database.cluster.clusterEndpoint.hostname,
      DB_NAME: database.name,
      // The cluster presents a certificate of the RDS CA (the proxy an ACM one that Node trusts).
      // Lambda's Node.js 20+ runtimes ship Amazon's CA bundle, including RDS, but no longer load
      // it by default; the migrator verifies the server (sslmode=verify-full), so it loads it.
      NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
    },
    vpc: network.vpc,
    vpcSubnets: network.appSubnets,
    securityGroups: [database.ownerSecurityGroup],
  });
  database.secret.grantRead(migrate);
  watchFunction(migrate, MIGRATE.name, topic, MIGRATE.timeoutSeconds);

  // No `version`: SST then stamps each deploy, so the Script runs every time. Migrating to latest
  // is a no-op when nothing is pending, and a failure fails (and rolls back) this stack before the
  // stacks that depend on it ship code expecting the new schema.
  const script = new Script(stack, "MigrateScript", {
    onCreate: migrate,
    onUpdate: migrate,
  });
  NagSuppressions.addResourceSuppressions(
    script,
    [
      {
        id: "AwsSolutions-IAM4",
        reason: "SST's Script runner: basic execution policy only",
        appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
      },
      {
        id: "AwsSolutions-IAM5",
        reason: "Invokes the migrator and its published versions (<arn>:*), nothing else",
        appliesTo: [`Resource::<${stack.getLogicalId(migrate.node.defaultChild as CfnFunction)}.Arn>:*`],
      },
    ],
    true,
  );

  return { migrate };
}
