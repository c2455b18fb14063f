// Lambda bundles for the cold-start stage: the deploy settings read from sst.config.ts, the naive and
// single-library references, and an esbuild build that reports what a bundle loads at import.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { build, type Metafile } from "esbuild";
import { ROOT } from "./report";

export const FUNCTIONS_SRC = path.join(ROOT, "packages/functions/src");
// Inside node_modules so that packages left external (@aws-sdk, as the Lambda runtime provides them)
// resolve; eslint and git ignore it. One folder per run: two benches at once must not share it.
export const OUT = path.join(ROOT, `node_modules/.cache/evently-bench-coldstart-${process.pid}`);

// What SST v2 adds for `format: "esm"`: CommonJS dependencies (pg, stripe) still call require().
const ESM_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'module';const require = topLevelCreateRequire(import.meta.url);";

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

/** How a bundle is built and run: the deploy settings of sst.config.ts, or a what-if. */
export interface Profile {
  label: string;
  splitting: boolean;
  sourcemap: boolean;
  external: string[];
  /** NODE_OPTIONS=--enable-source-maps at run time. */
  enableSourceMaps: boolean;
}

/** The literal build: one file, everything but Node's built-ins bundled, no source maps. */
export const LITERAL: Profile = {
  label: "one file, everything bundled (the issue's build)",
  splitting: false,
  sourcemap: false,
  external: [],
  enableSourceMaps: false,
};

/**
 * The `nodejs` defaults of sst.config.ts (format esm and minify are checked, the rest read), so the
 * bench follows the lead's deploy settings; anything it cannot read falls back to the build.
 */
export async function deployProfile(): Promise<{ profile: Profile; source: string }> {
  const text = await readFile(path.join(ROOT, "sst.config.ts"), "utf8").catch(() => "");
  const nodejs = /nodejs:\s*\{([\s\S]*?)\n\s{4}\},/.exec(text)?.[1] ?? "";
  if (!nodejs || !/format:\s*"esm"/.test(nodejs) || !/minify:\s*true/.test(nodejs))
    return { profile: LITERAL, source: "sst.config.ts not readable: the issue's build" };
  const external = [...(/external:\s*\[([^\]]*)\]/.exec(nodejs)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  const profile: Profile = {
    label: "as deployed (sst.config.ts)",
    splitting: /splitting:\s*true/.test(nodejs),
    sourcemap: /sourcemap:\s*true/.test(nodejs),
    external,
    enableSourceMaps: /NODE_OPTIONS:\s*"[^"]*--enable-source-maps/.test(text),
  };
  const parts = [
    `format esm, minify`,
    profile.splitting ? "code splitting" : "one file",
    profile.sourcemap ? "source maps" : "no source maps",
    `external: ${external.length ? external.join(", ") : "none"}`,
    profile.enableSourceMaps ? "NODE_OPTIONS=--enable-source-maps" : "",
  ];
  return { profile, source: parts.filter(Boolean).join("; ") };
}

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
  const result = await build({
    ...(entry.file
      ? { entryPoints: { index: entry.file } }
      : { stdin: { contents: entry.stdin!, resolveDir: ROOT, loader: "ts", sourcefile: "index.ts" } }),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    minify: true,
    metafile: true,
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    entryNames: "index",
    chunkNames: "chunks/[name]-[hash]",
    splitting: p.splitting,
    sourcemap: p.sourcemap,
    external: p.external,
    mainFields: ["module", "main"],
    banner: { js: ESM_REQUIRE_BANNER },
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
