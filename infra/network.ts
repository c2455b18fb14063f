// Network stack: a VPC whose isolated subnets hold Aurora and whose private subnets (one NAT; a Secrets Manager endpoint in prod) hold database-bound Lambdas.
import { RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import type { StackContext } from "sst/constructs";
import { exportForConsumers, stageSettings } from "./stage";

/** Subnet group names; database.ts and access.ts select by these, never by index. */
const SUBNETS = {
  public: "public",
  app: "app",
  data: "data",
} as const;

export interface NetworkOutputs {
  vpc: ec2.IVpc;
  /** Subnets for Lambdas that reach the database and the internet (Stripe, Secrets Manager, SQS). */
  appSubnets: ec2.SubnetSelection;
  /** Subnets with no route out at all: Aurora and the RDS Proxy live here. */
  dataSubnets: ec2.SubnetSelection;
  /** Every database-bound Lambda carries this group; database.ts lets it reach the proxy. */
  appSecurityGroup: ec2.ISecurityGroup;
  /** Prod only; database.ts opens it to the rotation function and the migrator. */
  secretsManagerEndpoint?: ec2.InterfaceVpcEndpoint;
}

export function Network({ app, stack }: StackContext): NetworkOutputs {
  const settings = stageSettings(app.stage);
  const vpc = new ec2.Vpc(stack, "Vpc", {
    maxAzs: 2,
    // One NAT keeps cost down; Lambdas in the other AZ route through it. Only the functions that
    // need the database live in the VPC, so the NAT carries Stripe and AWS API calls only.
    natGateways: settings.network.natGateways,
    subnetConfiguration: [
      { name: SUBNETS.public, subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: SUBNETS.app, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: SUBNETS.data, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });

  // Egress is closed by default and opened per need: HTTPS here (Stripe and AWS APIs through the
  // NAT), PostgreSQL to the proxy in database.ts. Nothing else leaves a function.
  const appSecurityGroup = new ec2.SecurityGroup(stack, "AppSecurityGroup", {
    vpc,
    description: "Lambdas that use the database",
    allowAllOutbound: false,
  });
  appSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "HTTPS to Stripe and AWS APIs");

  const appSubnets = { subnetGroupName: SUBNETS.app };

  // Prod: one NAT plus a Secrets Manager interface endpoint rather than a second NAT. What must
  // not stop when the NAT's AZ does is reading secrets (every cold start that decrypts or calls
  // Stripe, and the master secret's rotation); the endpoint serves both AZs for about half the
  // price of a NAT and keeps that traffic off the internet path. Calls to Stripe still need the
  // NAT, but they are provider tasks that retry with backoff, so an AZ outage delays them only.
  // Open to the groups that read secrets, not to the whole VPC.
  const secretsManagerEndpoint = settings.network.secretsManagerEndpoint
    ? vpc.addInterfaceEndpoint("SecretsManagerEndpoint", {
        service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        subnets: appSubnets,
        privateDnsEnabled: true,
        open: false,
      })
    : undefined;
  secretsManagerEndpoint?.connections.allowDefaultPortFrom(appSecurityGroup, "Lambdas to Secrets Manager");

  // Rejected and accepted flows, kept as long as the function logs: what reached the proxy, and
  // what tried to leave the VPC, is the first question after an incident.
  const flowLogs = new logs.LogGroup(stack, "FlowLogs", {
    retention: settings.prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
    removalPolicy: settings.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  vpc.addFlowLog("FlowLog", { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL });
  exportForConsumers(stack, [...vpc.selectSubnets(appSubnets).subnetIds, appSecurityGroup.securityGroupId]);
  stack.addOutputs({ VpcId: vpc.vpcId });

  return {
    vpc,
    appSubnets,
    dataSubnets: { subnetGroupName: SUBNETS.data },
    appSecurityGroup,
    ...(secretsManagerEndpoint ? { secretsManagerEndpoint } : {}),
  };
}
