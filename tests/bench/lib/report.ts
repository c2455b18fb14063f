// The shared reporter: stages record tables, target checks, notes and plan excerpts here; it
// prints them as they come and writes bench/results.json and docs/PERFORMANCE.md at the end.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Machine } from "./machine";
import { HOW_TO_RUN, INTRO, STAGE_PROSE } from "./prose";

export const STAGES = ["queries", "http", "rush", "webhooks", "archive", "coldstart", "memory", "limit", "curve", "cancel"] as const;
export type StageName = (typeof STAGES)[number];

/** The issue's numbering, which PERFORMANCE.md keeps. */
export const STAGE_TITLES: Record<StageName, string> = {
  queries: "1. Reference read queries at scale",
  http: "2. HTTP through the local runtime",
  rush: "3. The rush on one event",
  webhooks: "4. Webhook pipeline",
  archive: "5. Archival",
  coldstart: "6. Cold start",
  memory: "7. Memory",
  limit: "8. The physical limit: the same rows in one statement",
  curve: "9. Cost as the data grows",
  cancel: "10. Cancelling a 10,000-ticket event",
};

export type Cell = string | number;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  notes?: string[];
}

/** A target from the issue, measured. `pass: null` = could not be measured (see the note). */
export interface Check {
  name: string;
  measured: string;
  target: string;
  pass: boolean | null;
  /** For a miss: what to change in product code (file, line, fix). */
  advice?: string;
}

export interface Block {
  title: string;
  text: string;
}

export type StageStatus = "ok" | "partial" | "skipped" | "failed";

export interface StageResult {
  name: StageName;
  title: string;
  status: StageStatus;
  reason?: string;
  mode: "quick" | "full";
  startedAt: string;
  durationMs: number;
  /** CPU time of the bench process during the stage (user + system); PostgreSQL and the runtime child are not in it. */
  cpuMs?: number;
  tables: Table[];
  checks: Check[];
  notes: string[];
  blocks: Block[];
  /** Raw numbers for tooling (and for the memory stage, which reads other stages' samples). */
  data: Record<string, unknown>;
}

export interface ResultsFile {
  generatedAt: string;
  machine: Machine;
  runs: Array<{ startedAt: string; mode: "quick" | "full"; stages: StageName[]; durationMs: number; cpuMs?: number; command: string }>;
  stages: Partial<Record<StageName, StageResult>>;
}

export const ROOT = path.resolve(import.meta.dirname, "../../..");
export const RESULTS_JSON = path.join(ROOT, "bench/results.json");
export const PERFORMANCE_MD = path.join(ROOT, "docs/PERFORMANCE.md");

// ---------------------------------------------------------------------------------------------
// Console

const width = (cell: Cell) => String(cell).length;

export function formatTable(t: Table): string {
  const widths = t.columns.map((c, i) => Math.max(width(c), ...t.rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: Cell[]) =>
    cells.map((c, i) => (typeof c === "number" ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join("  ");
  return [
    `  ${t.title}`,
    `  ${line(t.columns)}`,
    `  ${widths.map((w) => "-".repeat(w)).join("  ")}`,
    ...t.rows.map((r) => `  ${line(r)}`),
    ...(t.notes ?? []).map((n) => `  note: ${n}`),
  ].join("\n");
}

export function formatCheck(c: Check): string {
  const mark = c.pass === null ? "n/a " : c.pass ? "PASS" : "MISS";
  return `  [${mark}] ${c.name}: ${c.measured} (target ${c.target})`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

const escapeCell = (cell: Cell) => String(cell).replace(/\|/g, "\\|").replace(/\n/g, " ");

function markdownTable(t: Table): string {
  const align = t.columns.map((_, i) =>
    t.rows.length > 0 && t.rows.every((r) => typeof r[i] === "number" || /^[\d.,]+(×| ms| KB| MB|%|\/s)?$/.test(String(r[i] ?? "")))
      ? "---:"
      : "---",
  );
  return [
    `**${t.title}**`,
    "",
    `| ${t.columns.map(escapeCell).join(" | ")} |`,
    `| ${align.join(" | ")} |`,
    ...t.rows.map((r) => `| ${t.columns.map((_, i) => escapeCell(r[i] ?? "")).join(" | ")} |`),
    ...(t.notes?.length ? ["", ...t.notes.map((n) => `_${n}_`)] : []),
  ].join("\n");
}

const passMark = (pass: boolean | null) => (pass === null ? "n/a" : pass ? "✅ pass" : "❌ miss");

function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function renderMarkdown(file: ResultsFile): string {
  const m = file.machine;
  const out: string[] = [];
  out.push("# Performance", "");
  out.push(...INTRO, "");
  out.push("## Machine", "");
  out.push(
    markdownTable({
      title: "Where these numbers come from",
      columns: ["", ""],
      rows: [
        ["CPU", m.cpuModel],
        ["cores", String(m.cores)],
        ["RAM", `${(m.ramBytes / 1024 ** 3).toFixed(1)} GiB`],
        ["Node", m.node],
        ["OS", m.os],
        ["PostgreSQL", m.postgres ?? "–"],
        ["load average at start (1/5/15 min)", m.loadAverage],
        ["generated", file.generatedAt],
      ],
    }),
    "",
  );
  out.push("Runs that produced this file:", "");
  for (const run of file.runs)
    out.push(
      `- ${run.startedAt}: \`${run.command}\` (${run.mode}, ${humanDuration(run.durationMs)}${run.cpuMs === undefined ? "" : `, ${humanDuration(run.cpuMs)} CPU in the bench process`}): ${run.stages.join(", ")}`,
    );
  out.push("");
  out.push("## How to run", "", ...HOW_TO_RUN, "");

  const checks = Object.values(file.stages).flatMap((s) => (s ? s.checks.map((c) => ({ stage: s.name, ...c })) : []));
  out.push("## Targets", "");
  out.push(
    markdownTable({
      title: "Every target of the issue, as measured",
      columns: ["stage", "target", "measured", "goal", "result"],
      rows: checks.map((c) => [STAGE_TITLES[c.stage].split(" ")[0]!.replace(".", ""), c.name, c.measured, c.target, passMark(c.pass)]),
    }),
    "",
  );
  const misses = checks.filter((c) => c.pass === false);
  if (misses.length > 0) {
    out.push("### Misses and the product-code fix recommended for each", "");
    for (const c of misses) out.push(`- **${c.name}** (${c.measured}; target ${c.target}).${c.advice ? ` ${c.advice}` : ""}`);
    out.push("");
  }

  for (const name of STAGES) {
    const s = file.stages[name];
    out.push(`## ${STAGE_TITLES[name]}`, "");
    if (!s) {
      out.push("_Not run yet._", "");
      continue;
    }
    out.push(`_${s.status}${s.reason ? `: ${s.reason}` : ""} — ${s.mode} mode, ${s.startedAt}, took ${humanDuration(s.durationMs)}._`, "");
    for (const note of [...(STAGE_PROSE[name] ?? []), ...s.notes]) out.push(`- ${note}`);
    if (s.notes.length || STAGE_PROSE[name]) out.push("");
    for (const t of s.tables) out.push(markdownTable(t), "");
    for (const b of s.blocks) out.push(`**${b.title}**`, "", "```", b.text.trimEnd(), "```", "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

export async function readPrevious(): Promise<ResultsFile | undefined> {
  try {
    return JSON.parse(await readFile(RESULTS_JSON, "utf8")) as ResultsFile;
  } catch {
    return undefined;
  }
}

export async function writeOutputs(file: ResultsFile): Promise<void> {
  await mkdir(path.dirname(RESULTS_JSON), { recursive: true });
  await mkdir(path.dirname(PERFORMANCE_MD), { recursive: true });
  await writeFile(RESULTS_JSON, `${JSON.stringify(file, null, 2)}\n`);
  await writeFile(PERFORMANCE_MD, renderMarkdown(file));
}
