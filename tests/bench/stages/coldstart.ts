// 6. Cold start: every Lambda entry point (routes.ts, schedules.ts, queue/*.ts) bundled as it would
// deploy, its size, and the time a fresh Node process takes to import it (median of 10), next to a
// naive bundle of the same libraries imported whole, built and measured in the same run. What each
// library costs alone, and what the packaging choices buy one function, are measured alongside.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  bundle,
  describeProfile,
  FUNCTIONS_SRC,
  HEAVY,
  LIBRARIES,
  LITERAL,
  MEASURED_STAGE,
  NAIVE,
  OUT,
  RUNNER,
  SST_MIRRORED,
  stageProfile,
  type Entry,
  type Profile,
  type Role,
} from "../lib/bundles";
import type { EnvName } from "@evently/functions/lib/config";
import type { StageContext } from "../lib/context";
import { runNode } from "../lib/proc";
import { coldstartProse } from "../lib/prose";
import { ROOT } from "../lib/report";
import { kb, median, ms, ratio } from "../lib/stats";

export interface LibraryCost {
  pkg: string;
  label: string;
  bytes: number;
  /** Import time above an empty module's. */
  importMs: number;
}

export interface BundleMeasure {
  name: string;
  role: Role;
  kind: string;
  /** JavaScript loaded at import: the entry file plus the chunks it imports statically. */
  bytes: number;
  /** Every JavaScript file of the bundle (lazily loaded chunks too; source maps not counted). */
  totalBytes: number;
  importMs: number;
  rssBytes: number;
  heapBytes: number;
  stripe: boolean;
  awsSdk: boolean;
  heavy: string[];
  /** Packages in the code loaded at import, biggest first. */
  contributors: Array<{ pkg: string; bytes: number }>;
}

/**
 * What a deployed function finds in its environment (infra/access.ts sets it per resource): fail-fast
 * configuration parses it at import, so the bench gives every function all of it, in deployed form.
 */
const LAMBDA_ENV = {
  DB_IAM_AUTH: "true",
  DB_HOST: "evently-proxy.proxy-abcdefghijkl.us-east-1.rds.amazonaws.com",
  DB_NAME: "evently",
  DB_USER: "evently_app",
  STRIPE_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/evently/stripe-key-AbCdEf",
  STRIPE_WEBHOOK_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/evently/webhook-secret-AbCdEf",
  DATA_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/evently/data-key-AbCdEf",
  BLIND_INDEX_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/evently/blind-index-key-AbCdEf",
  TICKET_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/evently/ticket-key-AbCdEf",
  WEBHOOK_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/prod-evently-webhooks",
  PROVIDER_TASK_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/prod-evently-provider-tasks",
  MAIL_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/prod-evently-mail",
  COGNITO_ISSUER: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
  COGNITO_CLIENT_ID: "1example23456789",
  CORS_ORIGINS: "https://app.evently.example",
  POWERTOOLS_SERVICE_NAME: "evently",
  POWERTOOLS_METRICS_NAMESPACE: "Evently",
} satisfies Partial<Record<EnvName | "POWERTOOLS_SERVICE_NAME" | "POWERTOOLS_METRICS_NAMESPACE", string>>;

async function entryPoints(ctx: StageContext, profile: Profile): Promise<Entry[]> {
  const { routes } = (await import("@evently/functions/routes")) as {
    routes: ReadonlyArray<{ method: string; path: string; handler: string }>;
  };
  const { schedules } = (await import("@evently/functions/schedules")) as { schedules: ReadonlyArray<{ name: string; handler: string }> };
  const entries = new Map<string, Entry>();
  const add = (module: string, kind: string) => {
    const file = path.join(FUNCTIONS_SRC, `${module}.ts`);
    if (!existsSync(file)) {
      ctx.skipPart(`${module}`, `${kind} names packages/functions/src/${module}.ts, which does not exist yet`);
      return;
    }
    if (!entries.has(module)) entries.set(module, { name: module, role: "function", kind, file, profile });
  };
  for (const r of routes) add(r.handler, `${r.method} ${r.path}`);
  if (schedules.length === 0) ctx.note(coldstartProse.noJobs);
  for (const s of schedules) add(s.handler, `job ${s.name}`);
  for (const f of (await readdir(path.join(FUNCTIONS_SRC, "queue"))).filter((f) => f.endsWith(".ts")).sort())
    add(`queue/${f.replace(/\.ts$/, "")}`, "SQS consumer");
  if (existsSync(path.join(FUNCTIONS_SRC, "ops/migrate.ts"))) add("ops/migrate", "deploy-time migrator (SST Script)");
  return [...entries.values()];
}

export async function run(ctx: StageContext): Promise<void> {
  // Quick mode: references, libraries and what-ifs 3 times, each function once (a smoke check).
  const runs = ctx.quick ? 3 : 10;
  const functionRuns = ctx.quick ? 1 : runs;
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const runner = path.join(OUT, "runner.mjs");
  await writeFile(runner, RUNNER);
  await writeFile(path.join(OUT, "empty.mjs"), "export {};\n");

  try {
    const profile = stageProfile(MEASURED_STAGE, `as deployed to ${MEASURED_STAGE}`);
    ctx.note(
      `Functions are built as \`sst deploy --stage ${MEASURED_STAGE}\` builds them (infra/bundling.ts): ${describeProfile(profile)}.`,
    );
    const installed = (JSON.parse(await readFile(path.join(ROOT, "node_modules/sst/package.json"), "utf8")) as { version: string }).version;
    if (installed !== SST_MIRRORED)
      ctx.note(
        `sst ${installed} is installed but the bench mirrors the esbuild options of sst ${SST_MIRRORED}: compare sst/runtime/handlers/node.js`,
      );
    const entries = await entryPoints(ctx, profile);
    // The references and the single libraries are plain builds (one file, no source maps), like the
    // issue's reference figures: the deploy settings' own costs then count against the functions.
    const naive: Entry[] = [
      {
        name: "naive: middy + Powertools logger/metrics + kysely + pg + zod",
        role: "reference",
        kind: "reference",
        stdin: NAIVE(false),
        profile: LITERAL,
      },
      { name: "naive: the same + stripe", role: "reference", kind: "reference", stdin: NAIVE(true), profile: LITERAL },
    ];
    // Quick mode leaves out the diagnostics (single libraries, what-ifs): they are for the full run.
    const libraries: Entry[] = (ctx.quick ? [] : LIBRARIES).map((l) => ({
      name: `library: ${l.label}`,
      role: "library",
      kind: l.pkg,
      stdin: l.code,
      profile: LITERAL,
    }));
    // What-ifs for one representative function: what each packaging choice costs or buys.
    const sample = entries.find((e) => e.name === "http/events/get") ?? entries[0];
    const whatIfProfiles: Profile[] = [
      stageProfile("dev", "as deployed to a debug stage (dev)"),
      {
        ...profile,
        label: `${profile.nodejs?.splitting ? "without" : "with"} code splitting`,
        nodejs: { ...profile.nodejs, splitting: !profile.nodejs?.splitting },
      },
      LITERAL,
    ];
    const variants: Entry[] =
      sample && !ctx.quick
        ? whatIfProfiles.map((p) => ({ ...sample, name: `${sample.name}: ${p.label}`, role: "variant", profile: p }))
        : [];

    const all = [...entries, ...naive, ...libraries, ...variants];
    ctx.log(
      `bundling ${entries.length} entry points, ${naive.length} naive references, ${libraries.length} single libraries and ${variants.length} what-ifs with esbuild`,
    );
    const started = performance.now();
    const built = await Promise.all(
      all.map((entry, i) => bundle(entry, path.join(OUT, `${String(i).padStart(2, "0")}-${entry.name.replace(/\W+/g, "-").slice(0, 60)}`))),
    );
    ctx.log(`bundled in ${Math.round(performance.now() - started)} ms`);

    const baseEnv = {
      PATH: process.env.PATH,
      AWS_REGION: "us-east-1",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
      ...LAMBDA_ENV,
    };
    type Sample = { ms: number; rss: number; heapUsed: number };
    const importOnce = async (file: string, name: string, p: Profile): Promise<Sample> =>
      JSON.parse(
        await runNode([runner, file], {
          ...baseEnv,
          AWS_LAMBDA_FUNCTION_NAME: name.replace(/\W+/g, "-"),
          ...(p.enableSourceMaps ? { NODE_OPTIONS: "--enable-source-maps" } : {}),
        }),
      ) as Sample;

    const measured = built.filter((b) => {
      if (b.role !== "function" || b.handler) return true;
      ctx.note(`${b.name}.ts exports no \`handler\`: a module the consumers import, not an entry point; not measured`);
      return false;
    });
    const rank = (b: Entry) => ({ reference: 0, library: 1, variant: 2, function: 3 })[b.role];
    measured.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    // Round-robin: every bundle (and the empty module) once per round, so a change in machine load
    // during the stage hits the functions and the naive references alike.
    const samples = new Map<string, Sample[]>();
    const emptyFile = path.join(OUT, "empty.mjs");
    for (let round = 1; round <= runs; round++) {
      const due = measured.filter((b) => b.role !== "function" || round <= functionRuns || b.name === sample?.name);
      for (const b of [{ entryFile: emptyFile, name: "empty", profile }, ...due]) {
        const list = samples.get(b.name) ?? [];
        list.push(await importOnce(b.entryFile, b.name, b.profile));
        samples.set(b.name, list);
      }
      ctx.progress(`import rounds (${due.length + 1} fresh processes)`, round, runs);
    }
    const stats = (name: string) => {
      const list = samples.get(name)!;
      return {
        importMs: median(list.map((s) => s.ms)),
        rssBytes: median(list.map((s) => s.rss)),
        heapBytes: median(list.map((s) => s.heapUsed)),
      };
    };
    const empty = stats("empty");

    const measures: BundleMeasure[] = measured.map((b) => ({
      name: b.name,
      role: b.role,
      kind: b.kind,
      bytes: b.bytes,
      totalBytes: b.totalBytes,
      ...stats(b.name),
      stripe: b.packages.has("stripe"),
      awsSdk: [...b.packages].some((p) => p.startsWith("@aws-sdk/") || p.startsWith("@smithy/")),
      heavy: HEAVY.filter((h) => b.packages.has(h)),
      contributors: b.contributors.slice(0, 10),
    }));

    const naivePlain = measures.find((m) => m.name === naive[0]!.name)!;
    const naiveStripe = measures.find((m) => m.name === naive[1]!.name)!;
    const functions = measures.filter((m) => m.role === "function");
    const whatIfs = measures.filter((m) => m.role === "variant");
    const libraryCosts: LibraryCost[] = measures
      .filter((m) => m.role === "library")
      .map((m) => ({ pkg: m.kind, label: m.name.replace(/^library: /, ""), bytes: m.bytes, importMs: m.importMs - empty.importMs }));
    ctx.data.bundles = measures;
    ctx.data.emptyProcess = empty;
    ctx.data.libraries = libraryCosts;
    ctx.data.profile = profile;

    const rows = functions.map((f) => {
      const base = f.stripe ? naiveStripe : naivePlain;
      const timeRatio = f.importMs / base.importMs;
      const timeOk = timeRatio <= (f.stripe ? 0.8 : 0.6);
      const sizeOk = f.stripe ? true : f.bytes <= 400 * 1024;
      return [
        f.name,
        f.kind,
        kb(f.bytes),
        kb(f.totalBytes),
        ms(f.importMs),
        `${ratio(timeRatio)} of ${f.stripe ? "naive+stripe" : "naive"}`,
        ratio(f.bytes / base.bytes),
        f.heavy.join(" ") + (f.awsSdk ? " @aws-sdk" : ""),
        timeOk && sizeOk ? "ok" : `MISS${timeOk ? "" : " time"}${sizeOk ? "" : " size"}`,
      ];
    });
    ctx.table({
      title: `Bundles as deployed and import time in a fresh process, median of ${functionRuns === runs ? runs : `${functionRuns} (references: ${runs})`}`,
      columns: [
        "function",
        "serves",
        "loaded at import",
        "all files",
        "import ms",
        "import vs naive",
        "size vs naive",
        "packages inside",
        "target",
      ],
      rows: [
        [
          naivePlain.name,
          "reference",
          kb(naivePlain.bytes),
          kb(naivePlain.totalBytes),
          ms(naivePlain.importMs),
          "1.00×",
          "1.00×",
          naivePlain.heavy.join(" "),
          "–",
        ],
        [
          naiveStripe.name,
          "reference",
          kb(naiveStripe.bytes),
          kb(naiveStripe.totalBytes),
          ms(naiveStripe.importMs),
          "1.00×",
          "1.00×",
          naiveStripe.heavy.join(" "),
          "–",
        ],
        ...rows,
      ],
      notes: coldstartProse.bundleNotes(empty),
    });

    if (libraryCosts.length)
      ctx.table({
        title: "What each library costs a function: the library alone in a plain build (import time above an empty module)",
        columns: ["library", "loaded at import", "import ms"],
        rows: libraryCosts.map((l) => [l.label, kb(l.bytes), ms(l.importMs)]),
      });

    const asDeployed = functions.find((f) => sample && f.name === sample.name);
    if (asDeployed && whatIfs.length) {
      ctx.table({
        title: `What the packaging choices cost or buy ${asDeployed.name} (every build measured in every round)`,
        columns: ["build", "loaded at import", "all files", "import ms", "vs as deployed", "vs naive"],
        rows: [asDeployed, ...whatIfs].map((m) => [
          m === asDeployed ? `${m.name}: as deployed` : m.name,
          kb(m.bytes),
          kb(m.totalBytes),
          ms(m.importMs),
          ratio(m.importMs / asDeployed.importMs),
          ratio(m.importMs / naivePlain.importMs),
        ]),
      });
      ctx.data.whatIf = {
        function: asDeployed.name,
        asDeployed: asDeployed.importMs,
        variants: whatIfs.map((w) => ({ name: w.name, importMs: w.importMs, bytes: w.bytes })),
      };
    }

    const noStripe = functions.filter((f) => !f.stripe);
    const withStripe = functions.filter((f) => f.stripe);
    const timeMisses = noStripe.filter((f) => f.importMs / naivePlain.importMs > 0.6);
    const sizeMisses = noStripe.filter((f) => f.bytes > 400 * 1024);
    const stripeMisses = withStripe.filter((f) => f.importMs / naiveStripe.importMs > 0.8);
    const worst = (list: BundleMeasure[]) => (list.length ? [...list].sort((a, b) => b.importMs - a.importMs)[0]! : undefined);
    const w1 = worst(noStripe);
    const w2 = worst(withStripe);
    const biggest = [...noStripe].sort((a, b) => b.bytes - a.bytes)[0];
    const context = { libs: libraryCosts, asDeployed, whatIfs, profile };
    ctx.check({
      name: "cold start: import time without Stripe ≤ 0.6 × naive",
      measured: w1
        ? `${noStripe.length - timeMisses.length}/${noStripe.length} pass; slowest ${w1.name} ${ms(w1.importMs)} ms = ${ratio(w1.importMs / naivePlain.importMs)} (naive ${ms(naivePlain.importMs)} ms)`
        : "no functions",
      target: "≤ 0.60×",
      pass: noStripe.length ? timeMisses.length === 0 : null,
      ...(timeMisses.length ? { advice: coldstartProse.advice("time", timeMisses, context) } : {}),
    });
    ctx.check({
      name: "cold start: bundle size without Stripe ≤ 400 KB",
      measured: biggest
        ? `${noStripe.length - sizeMisses.length}/${noStripe.length} pass; biggest ${biggest.name} ${kb(biggest.bytes)} loaded at import (${kb(biggest.totalBytes)} in all)`
        : "no functions",
      target: "≤ 400 KB",
      pass: noStripe.length ? sizeMisses.length === 0 : null,
      ...(sizeMisses.length ? { advice: coldstartProse.advice("size", sizeMisses, context) } : {}),
    });
    ctx.check({
      name: "cold start: import time with Stripe ≤ 0.8 × naive+stripe",
      measured: w2
        ? `${withStripe.length - stripeMisses.length}/${withStripe.length} pass; slowest ${w2.name} ${ms(w2.importMs)} ms = ${ratio(w2.importMs / naiveStripe.importMs)} (naive+stripe ${ms(naiveStripe.importMs)} ms)`
        : "no functions",
      target: "≤ 0.80×",
      pass: withStripe.length ? stripeMisses.length === 0 : null,
      ...(stripeMisses.length ? { advice: coldstartProse.advice("stripe", stripeMisses, context) } : {}),
    });

    // The biggest bundles, by what they load at import (distinct shapes only).
    const seen = new Set<string>();
    const shapes = [...functions]
      .sort((a, b) => b.bytes - a.bytes)
      .filter((f) => {
        const shape = f.contributors
          .slice(0, 6)
          .map((c) => c.pkg)
          .join(",");
        if (seen.has(shape)) return false;
        seen.add(shape);
        return true;
      });
    for (const f of shapes.slice(0, 3)) {
      ctx.table({
        title: `Top contributors of ${f.name} (${kb(f.bytes)} loaded at import), from the esbuild metafile`,
        columns: ["package", "bytes loaded at import", "share"],
        rows: f.contributors.map((c) => [c.pkg, kb(c.bytes), `${((100 * c.bytes) / f.bytes).toFixed(1)}%`]),
      });
    }
  } finally {
    await rm(OUT, { recursive: true, force: true });
  }
}
