// Lambda bundles for the cold-start stage: built with esbuild exactly as SST builds them from infra/bundling.ts,
// the naive and single-library references, and what each bundle loads at import.
import path from "node:path";
import { createRequire } from "node:module";
import * as esbuild from "esbuild";
import type { BuildOptions, Metafile } from "esbuild";
import type { NodeJSProps } from "sst/constructs";
import { bundlingFor } from "../../../infra/bundling";
import { ROOT } from "./report";

// The references resolve their libraries from the functions package: some (Powertools logger and
// metrics) are installed only there, at the versions the functions use.
export const FUNCTIONS_PKG = path.join(ROOT, "packages/functions");
export const FUNCTIONS_SRC = path.join(FUNCTIONS_PKG, "src");
// Inside node_modules so that packages left external (@aws-sdk, as the Lambda runtime provides them)
// resolve; eslint and git ignore it. One folder per run: two benches at once must not share it.
export const OUT = path.join(ROOT, `node_modules/.cache/evently-bench-coldstart-${process.pid}`);

export const RUNNER = `import { pathToFileURL } from "node:url";
const file = process.argv[2];
const t = performance.now();
await import(pathToFileURL(file).href);
const ms = performance.now() - t;
const m = process.memoryUsage();
process.stdout.write(JSON.stringify({ ms, rss: m.rss, heapUsed: m.heapUsed }));
process.exit(0);
`;

export const NAIVE = (withStripe: boolean) => `
import middy from "@middy/core";
import * as logger from "@aws-lambda-powertools/logger";
import * as metrics from "@aws-lambda-powertools/metrics";
import * as kysely from "kysely";
import pg from "pg";
import * as zod from "zod";
${withStripe ? 'import Stripe from "stripe";' : ""}
export const libs = [middy, logger, metrics, kysely, pg, zod${withStripe ? ", Stripe" : ""}];
export const handler = async () => ({ statusCode: 200 });
`;

/** Each library alone, bundled the same way: what it costs a function to carry it. */
export const LIBRARIES: Array<{ pkg: string; label: string; code: string }> = [
  {
    pkg: "zod",
    label: 'zod (import * as z from "zod", used through z.*)',
    code: 'import * as z from "zod"; export const s = z.object({ a: z.string(), b: z.number().optional() });',
  },
  {
    pkg: "zod/mini",
    label: 'zod/mini (import * as z from "zod/mini")',
    code: 'import * as z from "zod/mini"; export const s = z.object({ a: z.string(), b: z.optional(z.number()) });',
  },
  { pkg: "pg", label: "pg", code: 'import pg from "pg"; export const x = pg;' },
  {
    pkg: "kysely",
    label: "kysely (Kysely, PostgresDialect, CamelCasePlugin, sql)",
    code: 'import { Kysely, PostgresDialect, CamelCasePlugin, sql } from "kysely"; export const x = [Kysely, PostgresDialect, CamelCasePlugin, sql];',
  },
  {
    pkg: "@middy/core",
    label: "@middy/core + Powertools logger + metrics",
    code: 'import middy from "@middy/core"; import { Logger } from "@aws-lambda-powertools/logger"; import { Metrics } from "@aws-lambda-powertools/metrics"; export const x = [middy, new Logger(), new Metrics({ namespace: "bench" })];',
  },
  { pkg: "jose", label: "jose (jwtVerify)", code: 'import { jwtVerify } from "jose"; export const x = jwtVerify;' },
  { pkg: "stripe", label: "stripe", code: 'import Stripe from "stripe"; export const x = Stripe;' },
  {
    pkg: "@aws-sdk/client-sqs",
    label: "@aws-sdk/client-sqs",
    code: 'import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs"; export const x = [SQSClient, SendMessageCommand];',
  },
];

/** How a bundle is built and run: SST's build of some `nodejs` props, or the plain reference build. */
export interface Profile {
  label: string;
  /** The `nodejs` props SST is given; absent for the plain one-file build of the references. */
  nodejs?: NodeJSProps;
  /** NODE_OPTIONS=--enable-source-maps at run time. */
  enableSourceMaps: boolean;
}

/** The literal build: one file, everything but Node's built-ins bundled, no source maps. */
export const LITERAL: Profile = { label: "one file, everything bundled (the issue's build)", enableSourceMaps: false };

/** The stage whose bundles are measured: the one whose cold starts users meet. */
export const MEASURED_STAGE = "prod";

/** A stage's bundling, from the module sst.config.ts applies (infra/bundling.ts). */
export function stageProfile(stage: string, label: string): Profile {
  const { nodejs, environment } = bundlingFor(stage);
  return { label, nodejs, enableSourceMaps: /--enable-source-maps/.test(environment.NODE_OPTIONS ?? "") };
}

/** One line saying how a profile builds and runs. */
export function describeProfile(p: Profile): string {
  if (!p.nodejs) return "plain esbuild: one file, minified, no source maps";
  const n = p.nodejs;
  const { external = [], ...override } = n.esbuild ?? {};
  return [
    `SST ${SST_MIRRORED} Node runtime options: format ${n.format ?? "esm"}, target esnext, keepNames`,
    n.minify ? "minify" : "not minified",
    n.splitting ? "code splitting" : "one file",
    n.sourcemap ? "source maps shipped" : "source maps not shipped",
    `external: ${[...new Set([...SST_FORCED_EXTERNAL, ...external])].join(", ")}`,
    ...Object.keys(override).map((k) => `esbuild.${k}: ${JSON.stringify(override[k as keyof typeof override])}`),
    p.enableSourceMaps ? "NODE_OPTIONS=--enable-source-maps" : "no NODE_OPTIONS",
  ].join("; ");
}

/**
 * SST bundles with the esbuild it pins (0.18 under sst 2.49), not the workspace's: its minifier and
 * output differ, so the functions are built with that one.
 */
const sstEsbuild = createRequire(createRequire(import.meta.url).resolve("sst/package.json"))("esbuild") as typeof esbuild;

/** The SST release whose esbuild call sstOptions mirrors (sst/runtime/handlers/node.js). */
export const SST_MIRRORED = "2.49.6";
const SST_FORCED_EXTERNAL = ["sharp", "pg-native"];
// SST's ESM banner: CommonJS dependencies (pg, stripe) still call require() and read __dirname.
const SST_ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
];

/** The esbuild options SST's Node runtime derives from `nodejs` props for `sst deploy` (ESM only). */
function sstOptions(nodejs: NodeJSProps): BuildOptions {
  if ((nodejs.format ?? "esm") !== "esm") throw new Error("the bench mirrors SST's ESM build only");
  if (nodejs.esbuild?.plugins?.length) throw new Error("the bench does not pass esbuild plugins through");
  const { external, plugins: _plugins, ...override } = nodejs.esbuild ?? {};
  return {
    platform: "node",
    external: [...SST_FORCED_EXTERNAL, ...(nodejs.install ?? []), ...(external ?? [])],
    loader: nodejs.loader,
    keepNames: true,
    bundle: true,
    splitting: nodejs.splitting,
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    banner: { js: [...SST_ESM_BANNER, nodejs.banner ?? ""].join("\n") },
    sourcemap: nodejs.sourcemap !== false,
    minify: nodejs.minify,
    // Typed against SST's esbuild 0.18; the workspace's types differ only in options the app does not set.
    ...(override as BuildOptions),
  };
}

/** The references' build: what a developer gets from esbuild with the obvious flags. */
const PLAIN: BuildOptions = {
  platform: "node",
  bundle: true,
  format: "esm",
  target: "node22",
  minify: true,
  mainFields: ["module", "main"],
  banner: { js: SST_ESM_BANNER.slice(0, 2).join("") },
};

export type Role = "function" | "reference" | "library" | "variant";

export interface Entry {
  name: string;
  role: Role;
  /** What a function serves (route, job, consumer); the package of a library. */
  kind: string;
  file?: string;
  stdin?: string;
  profile: Profile;
}

/** Which package an esbuild input path belongs to. */
function packageOf(input: string): string {
  const parts = input.split("node_modules/");
  if (parts.length > 1) {
    const rest = parts.at(-1)!.split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const local = /^(?:\.\.\/)*packages\/(\w+)\//.exec(input);
  if (local) return `@evently/${local[1]}`;
  if (input.includes("migrations/")) return "migrations";
  return input;
}

/** Output files loaded at import: the entry and, transitively, the chunks it imports statically. */
function loadedOutputs(meta: Metafile, entryKey: string): string[] {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key) || !meta.outputs[key]) return;
    seen.add(key);
    for (const imp of meta.outputs[key]!.imports) if (imp.kind === "import-statement" && !imp.external) visit(imp.path);
  };
  visit(entryKey);
  return [...seen];
}

export const HEAVY = [
  "stripe",
  "zod",
  "jose",
  "kysely",
  "pg",
  "@middy/core",
  "@aws-lambda-powertools/tracer",
  "@aws-lambda-powertools/parameters",
  "@aws-lambda-powertools/batch",
];

export interface Built extends Entry {
  entryFile: string;
  meta: Metafile;
  handler: boolean;
  bytes: number;
  totalBytes: number;
  contributors: Array<{ pkg: string; bytes: number }>;
  packages: Set<string>;
}

export async function bundle(entry: Entry, dir: string): Promise<Built> {
  const p = entry.profile;
  const build = p.nodejs ? sstEsbuild.build : esbuild.build;
  const result = await build({
    ...(p.nodejs ? sstOptions(p.nodejs) : PLAIN),
    ...(entry.file
      ? { entryPoints: { index: entry.file } }
      : { stdin: { contents: entry.stdin!, resolveDir: FUNCTIONS_PKG, loader: "ts", sourcefile: "index.ts" } }),
    metafile: true,
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    entryNames: "index",
    chunkNames: "chunks/[name]-[hash]",
    logLevel: "silent",
  });
  const meta = result.metafile;
  const js = Object.keys(meta.outputs).filter((k) => k.endsWith(".mjs"));
  const entryKey = js.find((k) => path.basename(k) === "index.mjs")!;
  const loaded = loadedOutputs(meta, entryKey);
  const byPkg = new Map<string, number>();
  for (const key of loaded) {
    for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[key]!.inputs))
      byPkg.set(packageOf(input), (byPkg.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  const packages = new Set(js.flatMap((k) => Object.keys(meta.outputs[k]!.inputs).map(packageOf)));
  return {
    ...entry,
    entryFile: path.resolve(ROOT, entryKey),
    meta,
    handler: meta.outputs[entryKey]?.exports.includes("handler") ?? false,
    bytes: loaded.reduce((n, k) => n + meta.outputs[k]!.bytes, 0),
    totalBytes: js.reduce((n, k) => n + meta.outputs[k]!.bytes, 0),
    contributors: [...byPkg.entries()].map(([pkg, bytes]) => ({ pkg, bytes })).sort((a, b) => b.bytes - a.bytes),
    packages,
  };
}
