// Synthesizes the SST app offline, exactly as sst.config.ts deploys it, with only the per-function esbuild bundling stubbed.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Template } from "aws-cdk-lib/assertions";
import { App, getStack, type NodeJSProps } from "sst/constructs";
import { initProject, setProject, useProject } from "sst/project.js";
import { useRuntimeHandlers, type RuntimeHandler } from "sst/runtime/handlers.js";
import config from "../../sst.config";
import { STACKS } from "../../infra";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** The fixed stacks, plus one `ApiRoutes-<folder>` stack per handler folder of routes.ts. */
export type StackName =
  | "Network"
  | "Secrets"
  | "Alerts"
  | "TicketKeys"
  | "Database"
  | "Migrations"
  | "ProviderTasks"
  | "Webhooks"
  | "Mail"
  | "Api"
  | "ApiStage"
  | "Jobs"
  | "Alarms"
  | `ApiRoutes-${string}`;

/** What prod requires at deploy time (infra/config.ts); tests synthesize prod with these. */
export const PROD_DEPLOY_ENV = {
  CORS_ORIGINS: "https://app.evently.example",
  AUTH_CALLBACK_URLS: "https://app.evently.example/auth/callback",
  AUTH_LOGOUT_URLS: "https://app.evently.example/",
  AUTH_EMAIL_FROM: "no-reply@evently.example",
};

export interface Synthesized {
  app: App;
  templates: Record<StackName, Template>;
  /** What SST asked the (stubbed) bundler to build: one entry per deployed function. */
  bundled: BundleRequest[];
}

interface BundleRequest {
  handler: string;
  /** The merged `nodejs` props (sst.config.ts defaults): format, minify, sourcemap, esbuild. */
  nodejs: NodeJSProps | undefined;
}

/**
 * In deploy mode SST bundles every handler with esbuild inside `app.finish()` and then runs
 * `npm install` in each artifact directory, which needs every handler file to exist and the npm
 * registry. The stub stands in for SST's Node runtime handler only: SST still resolves handlers,
 * sets Handler/Runtime and wires the code asset exactly as after a real build.
 */
function stubNodeBundler(bundled: BundleRequest[]): void {
  const bundler: RuntimeHandler = {
    canHandle: (runtime) => runtime.startsWith("nodejs"),
    shouldBuild: () => false,
    startWorker: async () => undefined,
    stopWorker: async () => undefined,
    build: async ({ out, props }) => {
      if (!props.handler) return { type: "error", errors: ["function without handler"] };
      bundled.push({ handler: props.handler, nodejs: props.nodejs });
      writeFileSync(path.join(out, "index.mjs"), "export const handler = async () => undefined;\n");
      return { type: "success", handler: props.handler };
    },
  };
  useRuntimeHandlers().for = () => bundler;
}

/**
 * initProject writes `.sst.config.<timestamp>.mjs` into the cwd and App writes `.sst/types`;
 * parallel test files would race on both, so each process gets its own scratch directory
 * (inside the repo, so the temporary config still resolves node_modules by walking up).
 * process.chdir needs vitest's "forks" pool (vitest.config.ts), not worker threads.
 */
async function initIsolatedProject(stage: string): Promise<string> {
  const scratch = path.join(ROOT, ".sst", `vitest-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const cwd = process.cwd();
  process.chdir(scratch);
  try {
    await initProject({ stage, root: ROOT, region: REGION });
  } finally {
    process.chdir(cwd);
  }
  const project = useProject();
  setProject({ ...project, paths: { ...project.paths, out: scratch, artifacts: path.join(scratch, "artifacts") } });
  return scratch;
}

/** Synthesizes `stage` with `env` added to the deploy environment for the duration (prod gets PROD_DEPLOY_ENV unless told otherwise). */
export async function synthesize(
  stage = "test",
  env: Record<string, string> = stage === "prod" ? PROD_DEPLOY_ENV : {},
  /** Runs on the finished construct tree before anything is synthesized (e.g. to add cdk-nag's aspects). */
  prepare?: (app: App) => void,
): Promise<Synthesized> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await synthesizeNow(stage, prepare);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function synthesizeNow(stage: string, prepare?: (app: App) => void): Promise<Synthesized> {
  // SST skips its AWS bootstrap lookups when it sees a test run.
  process.env.NODE_ENV = "test";
  // prod refuses to synthesize without a sender address (infra/mail.ts).
  if (stage === "prod") process.env.MAIL_FROM ??= "no-reply@evently.test";
  const scratch = await initIsolatedProject(stage);
  const bundled: BundleRequest[] = [];
  stubNodeBundler(bundled);

  const { config: projectConfig } = useProject();
  const app = new App(
    { mode: "deploy", name: projectConfig.name, stage, region: projectConfig.region, account: ACCOUNT },
    {
      outdir: path.join(scratch, "cdk.out"),
      // What `sst deploy` would look up and cache in cdk.context.json.
      context: { [`availability-zones:account=${ACCOUNT}:region=${REGION}`]: [`${REGION}a`, `${REGION}b`, `${REGION}c`] },
    },
  );
  config.stacks(app);
  prepare?.(app);
  await app.finish();

  const templates = Object.fromEntries(
    STACKS.map((fn) => [fn.name, Template.fromStack(getStack(fn as Parameters<typeof getStack>[0]))]),
  ) as Record<StackName, Template>;
  // Templates are plain JSON by now; the assembly and artifacts on disk are no longer needed.
  rmSync(scratch, { recursive: true, force: true });
  return { app, templates, bundled };
}
