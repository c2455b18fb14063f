// Network stack: a VPC whose isolated subnets hold Aurora and whose private subnets (one NAT) hold database-bound Lambdas.
import * as ec2 from "aws-cdk-lib/aws-ec2";
import type { StackContext } from "sst/constructs";
import { exportForConsumers } from "./stage";

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
}

export function Network({ stack }: StackContext): NetworkOutputs {
  const vpc = new ec2.Vpc(stack, "Vpc", {
    maxAzs: 2,
    // One NAT keeps cost down; Lambdas in the other AZ route through it. Only the functions that
    // need the database live in the VPC, so the NAT carries Stripe and AWS API calls only.
    natGateways: 1,
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
  exportForConsumers(stack, [...vpc.selectSubnets(appSubnets).subnetIds, appSecurityGroup.securityGroupId]);
  stack.addOutputs({ VpcId: vpc.vpcId });

  return {
    vpc,
    appSubnets,
    dataSubnets: { subnetGroupName: SUBNETS.data },
    appSecurityGroup,
  };
}
