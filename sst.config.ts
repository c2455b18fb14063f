// SST v2 app: name and region, defaults every Lambda shares, and the stacks from infra/ in deploy order.
import type { SSTConfig } from "sst";
import type { App } from "sst/constructs";
import { METRICS_NAMESPACE, SERVICE_NAME } from "@evently/functions/lib/metric-names";
import { STACKS } from "./infra";
import { suppressFrameworkFindings } from "./infra/nag";
import { isProdStage, stageSettings } from "./infra/stage";

/** Applied to every Function before any stack exists (SST requires that order). */
export function configureApp(app: App): void {
  const settings = stageSettings(app.stage);
  app.setDefaultFunctionProps({
    runtime: "nodejs22.x",
    architecture: "arm_64",
    tracing: "active",
    logRetention: settings.logRetention,
    nodejs: {
      format: "esm",
      minify: true,
      // Shipped inside the bundle and applied by NODE_OPTIONS below, so stack traces name our files.
      sourcemap: true,
      // Lazily imported code (Stripe, the AWS SDK behind Powertools) becomes its own chunk, loaded
      // on first use instead of parsed at every cold start (docs/PERFORMANCE.md).
      splitting: true,
      // pg's optional native binding: left external (and not installed) or SST would try to
      // `npm install pg-native` into every bundle, which needs libpq to compile. The AWS SDK v3
      // clients and their shared core ship with the nodejs22.x runtime: bundling them added
      // ~400 KB to every function that can read a secret (docs/PERFORMANCE.md). The runtime does
      // not promise @aws-sdk/rds-signer, so that one (a few KB, database functions only) is bundled.
      // __EVENTLY_FAILPOINTS__=false empties core's failpoint(), so minification drops every call to it.
      esbuild: { external: ["pg-native", "@aws-sdk/client-*", "@aws-sdk/core"], define: { __EVENTLY_FAILPOINTS__: "false" } },
    },
    environment: {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      NODE_OPTIONS: "--enable-source-maps",
    },
  });
  // Non-prod stages are disposable: removing one removes everything, the database included.
  if (!isProdStage(app.stage)) app.setDefaultRemovalPolicy("destroy");
}

export default {
  config(input) {
    return {
      name: "evently",
      region: input.region ?? process.env.AWS_REGION ?? "us-east-1",
    };
  },
  stacks(app) {
    configureApp(app);
    for (const stack of STACKS) app.stack(stack);
    suppressFrameworkFindings(app);
  },
} satisfies SSTConfig;
