// Secrets stack: Stripe API key, Stripe webhook signing secret and the data encryption key, set by operators.
import { RemovalPolicy } from "aws-cdk-lib";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { StackContext } from "sst/constructs";
import { exportForConsumers, isProdStage } from "./stage";

export interface SecretsOutputs {
  stripeKey: secretsmanager.ISecret;
  webhookSecret: secretsmanager.ISecret;
  dataKey: secretsmanager.ISecret;
}

/** Everything except hex digits, so the generated data key is 64 hex characters = 32 bytes (AES-256). */
const NOT_HEX = "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ";

export function Secrets({ app, stack }: StackContext): SecretsOutputs {
  // Operators type these names: evently/<stage>/<what>.
  const prefix = `${app.name}/${app.stage}`;

  // Stripe values cannot be generated; they start as a random placeholder (a call with it fails
  // loudly at Stripe) and operators put the real value with `aws secretsmanager put-secret-value`.
  // CloudFormation only generates on create, so a redeploy never overwrites what operators set.
  const stripeKey = new secretsmanager.Secret(stack, "StripeSecretKey", {
    secretName: `${prefix}/stripe-secret-key`,
    description: "Stripe secret API key (sk_live_… / sk_test_…); put the real value after the first deploy",
    generateSecretString: { passwordLength: 32, excludePunctuation: true },
  });
  const webhookSecret = new secretsmanager.Secret(stack, "StripeWebhookSecret", {
    secretName: `${prefix}/stripe-webhook-secret`,
    description: "Stripe webhook signing secret (whsec_…) of the endpoint POST /webhooks/stripe",
    generateSecretString: { passwordLength: 32, excludePunctuation: true },
  });

  // Losing this key loses every encrypted payment reference.
  const dataKey = new secretsmanager.Secret(stack, "DataKey", {
    secretName: `${prefix}/data-key`,
    description: "AES-256-GCM key for provider ids at rest: 64 hex characters, generated once",
    generateSecretString: {
      passwordLength: 64,
      excludePunctuation: true,
      includeSpace: false,
      excludeCharacters: NOT_HEX,
    },
  });

  // CDK deletes secrets with their stack by default; prod keeps all three (non-prod stages get
  // the app-wide "destroy" policy from sst.config.ts anyway).
  if (isProdStage(app.stage)) {
    for (const secret of [stripeKey, webhookSecret, dataKey]) secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }

  exportForConsumers(stack, [stripeKey.secretArn, webhookSecret.secretArn, dataKey.secretArn]);
  stack.addOutputs({
    StripeSecretKeyArn: stripeKey.secretArn,
    StripeWebhookSecretArn: webhookSecret.secretArn,
    DataKeyArn: dataKey.secretArn,
  });

  return { stripeKey, webhookSecret, dataKey };
}
