// Secrets stack: Stripe API key and webhook signing secret (set by operators), the data keyring and blind-index key (generated here).
import { RemovalPolicy } from "aws-cdk-lib";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { StackContext } from "sst/constructs";
import { suppress } from "./nag";
import { exportForConsumers, isProdStage } from "./stage";

export interface SecretsOutputs {
  stripeKey: secretsmanager.ISecret;
  webhookSecret: secretsmanager.ISecret;
  dataKey: secretsmanager.ISecret;
  indexKey: secretsmanager.ISecret;
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

  // Both keys are generated here on the first deploy, never typed by anyone; losing either loses
  // the encrypted payment references or their lookups. The keyring starts as one bare 64-hex key,
  // which the app reads as version v1; rotation prepends "v2:<key>," (README, Operations). The
  // index key stays put through keyring rotations: changing it would orphan every blind index.
  const generatedHexKey = { passwordLength: 64, excludePunctuation: true, includeSpace: false, excludeCharacters: NOT_HEX };
  const dataKey = new secretsmanager.Secret(stack, "DataKey", {
    secretName: `${prefix}/data-key`,
    description: "AES-256-GCM keyring for provider ids at rest: v<N>:<key>, newest first; generated as one v1 key",
    generateSecretString: generatedHexKey,
  });
  const indexKey = new secretsmanager.Secret(stack, "IndexKey", {
    secretName: `${prefix}/index-key`,
    description: "HMAC-SHA256 key of the provider-id blind index: 64 hex characters, generated once, never rotated",
    generateSecretString: generatedHexKey,
  });

  suppress(stripeKey, "SMG4", "Issued by Stripe, not generated here: rolled in Stripe's dashboard, then put here (README, Operations)");
  suppress(
    webhookSecret,
    "SMG4",
    "Stripe's signing secret of our endpoint: rolled in Stripe's dashboard, which keeps the old one valid for a grace period",
  );
  suppress(
    dataKey,
    "SMG4",
    "Rotating a keyring means prepending a key and re-encrypting rows, an operator procedure (README, Operations), not a Lambda",
  );
  suppress(indexKey, "SMG4", "The blind index is a keyed hash stored in rows; a new key would orphan every lookup, so it is never rotated");

  // CDK deletes secrets with their stack by default; prod keeps all four (non-prod stages get
  // the app-wide "destroy" policy from sst.config.ts anyway).
  if (isProdStage(app.stage)) {
    for (const secret of [stripeKey, webhookSecret, dataKey, indexKey]) secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }

  exportForConsumers(stack, [stripeKey.secretArn, webhookSecret.secretArn, dataKey.secretArn, indexKey.secretArn]);
  stack.addOutputs({
    StripeSecretKeyArn: stripeKey.secretArn,
    StripeWebhookSecretArn: webhookSecret.secretArn,
    DataKeyArn: dataKey.secretArn,
    IndexKeyArn: indexKey.secretArn,
  });

  return { stripeKey, webhookSecret, dataKey, indexKey };
}
