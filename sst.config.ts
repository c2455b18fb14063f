// SST v2 app: name and region, defaults every Lambda shares, and the stacks from infra/ in deploy order.
import type { SSTConfig } from "sst";
import type { App } from "sst/constructs";
import { METRICS_NAMESPACE, SERVICE_NAME } from "@evently/functions/lib/metric-names";
import { STACKS } from "./infra";
import { bundlingFor } from "./infra/bundling";
import { suppressFrameworkFindings } from "./infra/nag";
import { isProdStage, stageSettings } from "./infra/stage";

/** Applied to every Function before any stack exists (SST requires that order). */
export function configureApp(app: App): void {
  const settings = stageSettings(app.stage);
  const bundling = bundlingFor(app.stage);
  app.setDefaultFunctionProps({
    runtime: "nodejs22.x",
    architecture: "arm_64",
    tracing: "active",
    logRetention: settings.logRetention,
    nodejs: bundling.nodejs,
    environment: {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      ...bundling.environment,
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
