// TicketKeys stack: the Ed25519 key set that signs ticket codes, in Secrets Manager, rotated by
// our own function so the previous key keeps verifying codes already sent.
import { RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Function as SstFunction, use, type StackContext } from "sst/constructs";
import { handlerPath } from "@evently/functions/manifest";
import { Alerts, watchFunction } from "./alerts";
import { ROTATE_TICKET_KEY } from "./contracts";
import { exportForConsumers, isProdStage } from "./stage";

export interface TicketKeysOutputs {
  secret: secretsmanager.ISecret;
  rotate: SstFunction;
}

/** Long enough that a printed ticket outlives one rotation comfortably (codes verify for two periods). */
export const TICKET_KEY_ROTATION_DAYS = 90;

export function TicketKeys({ app, stack }: StackContext): TicketKeysOutputs {
  const { topic } = use(Alerts);
  // CloudFormation cannot make an Ed25519 key: the secret starts as a random placeholder and the
  // rotation that CDK runs right after creation replaces it with the first real key set.
  const secret = new secretsmanager.Secret(stack, "TicketSigningKeys", {
    secretName: `${app.name}/${app.stage}/ticket-signing-keys`,
    description: "Ed25519 JWKs signing ticket codes: {current, previous}; rotated by the RotateTicketKey function",
    generateSecretString: { passwordLength: 32, excludePunctuation: true },
  });
  if (isProdStage(app.stage)) secret.applyRemovalPolicy(RemovalPolicy.RETAIN);

  // Outside the VPC: it only talks to Secrets Manager, whose public endpoint it reaches directly.
  const rotate = new SstFunction(stack, "RotateTicketKey", {
    handler: handlerPath(ROTATE_TICKET_KEY.handler),
    description: `Rotates the ticket signing keys (${ROTATE_TICKET_KEY.handler})`,
    timeout: ROTATE_TICKET_KEY.timeoutSeconds,
    enableLiveDev: false,
  });
  // The L1 schedule with our own grants: CDK's addRotationSchedule also grants
  // secretsmanager:GetRandomPassword on "*", which a key generated in code never needs.
  secret.grantRead(rotate);
  rotate.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
      resources: [secret.secretArn],
    }),
  );
  rotate.addPermission("InvokedBySecretsManager", {
    principal: new iam.ServicePrincipal("secretsmanager.amazonaws.com"),
    sourceArn: secret.secretArn,
  });
  const schedule = new secretsmanager.CfnRotationSchedule(stack, "TicketSigningKeysRotation", {
    secretId: secret.secretArn,
    rotationLambdaArn: rotate.functionArn,
    rotationRules: { scheduleExpression: `rate(${TICKET_KEY_ROTATION_DAYS} days)` },
    // The first rotation runs at creation: it turns the placeholder into a real key set.
    rotateImmediatelyOnUpdate: true,
  });
  // Secrets Manager checks that it may invoke the function when the schedule is created.
  schedule.node.addDependency(rotate);
  watchFunction(rotate, "rotate ticket key", topic, ROTATE_TICKET_KEY.timeoutSeconds);

  exportForConsumers(stack, [secret.secretArn]);
  stack.addOutputs({ TicketSigningKeysArn: secret.secretArn });
  return { secret, rotate };
}
