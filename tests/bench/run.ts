// `npm run bench [-- --quick] [--only <stage>[,<stage>…]] [--curve]`: measures the product on this machine and
// writes bench/results.json and docs/PERFORMANCE.md. Stages run one after another (never in
// parallel: they would measure each other); a stage whose feature has not landed reports "skipped".
import "@evently/local/env-defaults";
// The runtime's ticket-key source: answers the bench asks of core (orders, dashboards) carry signed ticket codes.
import "@evently/functions/lib/ticket-keys";
import { parseArgs } from "node:util";
import { createContext, SkipStage, type Stage } from "./lib/context";
import { startLive, type Live } from "./lib/live";
import { describeMachine } from "./lib/machine";
import { startBenchPostgres, type BenchPostgres } from "./lib/pg";
import {
  readPrevious,
  STAGE_TITLES,
  STAGES,
  writeOutputs,
  PERFORMANCE_MD,
  RESULTS_JSON,
  type ResultsFile,
  type StageName,
  type StageResult,
} from "./lib/report";

// Cold start first (it wants an idle machine), memory last (it reads the other stages' samples).
// The data-growth curve takes long and runs only when asked for (--curve or --only curve).
const RUN_ORDER: StageName[] = ["coldstart", "queries", "http", "limit", "rush", "webhooks", "archive", "cancel", "memory", "curve"];
const ON_REQUEST: StageName[] = ["curve"];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    curve: { type: "boolean", default: false },
    only: { type: "string", multiple: true },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run bench -- [--quick] [--only ${STAGES.join("|")}[,…]] [--curve]`);
  process.exit(0);
}

const requested = [...(values.only ?? []), ...(values.curve ? ["curve"] : [])]
  .flatMap((v) => v.split(","))
  .map((v) => v.trim())
  .filter(Boolean);
const unknown = requested.filter((name) => !(STAGES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown stage(s): ${unknown.join(", ")}; stages: ${STAGES.join(", ")}`);
  process.exit(2);
}
const selected = RUN_ORDER.filter((name) => (requested.length === 0 ? !ON_REQUEST.includes(name) : requested.includes(name)));
const quick = values.quick ?? false;
const mode = quick ? "quick" : "full";
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;

const machine = describeMachine();
const runStarted = performance.now();
const cpuAtStart = process.cpuUsage();
const startedAt = new Date().toISOString();
console.log(`evently bench (${mode}): ${selected.join(", ")}`);
console.log(
  `machine: ${machine.cpuModel}, ${machine.cores} cores, ${(machine.ramBytes / 1024 ** 3).toFixed(1)} GiB, Node ${machine.node}, load ${machine.loadAverage}`,
);

let postgres: Promise<BenchPostgres> | undefined;
const getPostgres = () => {
  postgres ??= startBenchPostgres((line) => console.log(`[postgres] ${line}`)).then((pg) => {
    machine.postgres = pg.version;
    return pg;
  });
  return postgres;
};

let live: Promise<Live & { stop(): Promise<void> }> | undefined;
const getLive = () => (live ??= getPostgres().then((pg) => startLive(pg, (line) => console.log(`[live] ${line}`))));

const results = new Map<StageName, StageResult>();
let failures = 0;
for (const name of selected) {
  const { ctx, result, finish } = createContext({
    name,
    title: STAGE_TITLES[name],
    quick,
    postgres: getPostgres,
    live: getLive,
    earlier: (n) => results.get(n),
  });
  console.log(`\n=== ${STAGE_TITLES[name]} (${mode}) ===`);
  try {
    const stage = (await import(`./stages/${name}.ts`)) as { run: Stage };
    await stage.run(ctx);
  } catch (error) {
    if (error instanceof SkipStage) {
      result.status = "skipped";
      result.reason = error.message;
      ctx.log(`skipped: ${error.message}`);
    } else {
      failures++;
      result.status = "failed";
      result.reason = error instanceof Error ? error.message : String(error);
      console.error(error);
    }
  }
  results.set(name, finish());
  ctx.log(
    `${result.status} in ${(result.durationMs / 1000).toFixed(1)} s (${((result.cpuMs ?? 0) / 1000).toFixed(1)} s CPU in this process)`,
  );
}

if (live) await (await live).stop().catch((error: unknown) => console.error("stopping the runtime:", error));
if (postgres) await (await postgres).stop().catch((error: unknown) => console.error("stopping postgres:", error));

const durationMs = Math.round(performance.now() - runStarted);
const cpuUsed = process.cpuUsage(cpuAtStart);
const cpuMs = Math.round((cpuUsed.user + cpuUsed.system) / 1000);
const previous = requested.length > 0 ? await readPrevious() : undefined;
const stages: ResultsFile["stages"] = { ...(previous?.stages ?? {}), ...Object.fromEntries(results) };
const run = { startedAt, mode, stages: selected, durationMs, cpuMs, command } as const;
// Keep the runs that still own a stage of the merged file.
const runs = [...(previous?.runs ?? []), run].filter(
  (r) => r === run || r.stages.some((s) => stages[s]?.startedAt && results.get(s) === undefined && r.stages.includes(s)),
);
const file: ResultsFile = { generatedAt: new Date().toISOString(), machine, runs, stages };
await writeOutputs(file);

console.log(
  `\nbench ${mode} finished in ${(durationMs / 1000).toFixed(1)} s wall, ${(cpuMs / 1000).toFixed(1)} s CPU in this process (load at the end ${describeMachine().loadAverage})`,
);
for (const name of selected) {
  const r = results.get(name)!;
  const misses = r.checks.filter((c) => c.pass === false).length;
  console.log(
    `  ${name.padEnd(10)} ${r.status.padEnd(8)} ${(r.durationMs / 1000).toFixed(1).padStart(6)} s  ${((r.cpuMs ?? 0) / 1000).toFixed(1).padStart(6)} s CPU  ${r.checks.length} checks, ${misses} missed${r.reason ? `  (${r.reason})` : ""}`,
  );
}
console.log(`wrote ${RESULTS_JSON} and ${PERFORMANCE_MD}`);
process.exit(failures > 0 ? 1 : 0);
