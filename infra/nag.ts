// cdk-nag suppressions for what every stack gets from SST and the CDK rather than from our code; resource-specific ones sit next to their resource.
import { CfnResource, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import { NagSuppressions, type NagPackSuppression } from "cdk-nag";
import type { IConstruct } from "constructs";
import { Function as SstFunction } from "sst/constructs";

const BASIC = "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const VPC_ACCESS = "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

/**
 * Every Lambda role: the two AWS-managed execution policies (write its own log streams; create
 * and delete the ENIs of a VPC function) are the documented minimum and track new log and
 * network APIs better than a copy would. X-Ray's PutTraceSegments/PutTelemetryRecords accept no
 * resource but "*" (tracing is on for every function).
 */
const FUNCTION_BASELINE: NagPackSuppression[] = [
  {
    id: "AwsSolutions-IAM4",
    reason: "AWS-managed Lambda execution policies (logs, VPC ENIs) are the documented minimum for a function role",
    appliesTo: [BASIC, VPC_ACCESS],
  },
  { id: "AwsSolutions-IAM5", reason: "X-Ray PutTraceSegments/PutTelemetryRecords only accept Resource '*'", appliesTo: ["Resource::*"] },
];

/**
 * Lambdas the frameworks add to each stack: SST's stack-metadata custom resource, CDK's
 * log-retention setter (logs:PutRetentionPolicy on log groups created after it, hence "*"), and
 * SST's Script runner (invokes the migrator and its versions, hence "<arn>:*").
 */
const HELPERS: { match: RegExp; suppressions: NagPackSuppression[] }[] = [
  {
    match: /^CustomResourceHandler$/,
    suppressions: [
      { id: "AwsSolutions-IAM4", reason: "SST's stack-metadata custom resource: basic execution policy only", appliesTo: [BASIC] },
    ],
  },
  {
    match: /^LogRetention[0-9a-f]{32}$/,
    suppressions: [
      { id: "AwsSolutions-IAM4", reason: "CDK's log-retention setter: basic execution policy only", appliesTo: [BASIC] },
      {
        id: "AwsSolutions-IAM5",
        reason: "Sets retention on function log groups that do not exist yet; the API takes no narrower resource at policy time",
        appliesTo: ["Resource::*"],
      },
    ],
  },
];

/** Applies the baseline to every function and helper of the app; sst.config.ts calls it once all stacks exist. */
export function suppressFrameworkFindings(root: IConstruct): void {
  for (const node of root.node.findAll()) {
    if (node instanceof SstFunction && node.role instanceof iam.Role) {
      NagSuppressions.addResourceSuppressions(node.role, FUNCTION_BASELINE, true);
    }
    const parent = node.node.scope;
    if (parent instanceof Stack) {
      const helper = HELPERS.find((h) => h.match.test(node.node.id));
      if (helper) NagSuppressions.addResourceSuppressions(node, helper.suppressions, true);
    }
  }
}

/** Suppresses `rule` on the single CloudFormation resource behind `construct`, with its reason. */
export function suppress(construct: IConstruct, rule: string, reason: string): void {
  const target = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  NagSuppressions.addResourceSuppressions(target ?? construct, [{ id: `AwsSolutions-${rule}`, reason }]);
}
