// EXPLAIN (ANALYZE, BUFFERS) of the exact statements the product sent, boiled down to the plan
// lines that matter (nodes, indexes, timings) and checked against the indexes meant to serve them.
import type pg from "pg";
import type { TracedQuery } from "./pg-trace";

export interface PlanSummary {
  statement: string;
  lines: string[];
  indexes: string[];
  seqScans: string[];
  executionMs: number;
}

const oneLine = (sql: string) => sql.replace(/\s+/g, " ").trim();

export async function explainStatement(client: pg.Client, q: TracedQuery): Promise<PlanSummary> {
  const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.values as unknown[]);
  const plan = rows.map((r) => r["QUERY PLAN"]);
  const indexes = new Set<string>();
  const seqScans = new Set<string>();
  for (const line of plan) {
    const idx = /(?:Index Scan|Index Only Scan)(?: Backward)? using (\S+) on (\S+)/.exec(line) ?? /Bitmap Index Scan on (\S+)/.exec(line);
    if (idx) indexes.add(idx[1]!);
    const seq = /Seq Scan on (\S+)/.exec(line);
    if (seq) seqScans.add(seq[1]!);
  }
  const lines: string[] = [];
  plan.forEach((line, i) => {
    if (i === 0 || /->/.test(line) || /^\s*(SubPlan|InitPlan)/.test(line)) lines.push(line.replace(/\(cost=[^)]*\)\s*/, "").trimEnd());
    else if (i === 1 && /Buffers:/.test(line)) lines.push(line.trimEnd());
    else if (/^(Planning|Execution) Time/.test(line.trim())) lines.push(line.trim());
  });
  const executionMs = Number(/Execution Time: ([\d.]+)/.exec(plan.join("\n"))?.[1] ?? NaN);
  return { statement: oneLine(q.text), lines, indexes: [...indexes], seqScans: [...seqScans], executionMs };
}

/**
 * Each group lists acceptable indexes for one access path; a plan satisfies the group when it uses
 * any of them. Sequential scans of the big tables always count against it.
 */
export function checkIndexes(plans: PlanSummary[], intended: string[][], bigTables: readonly string[]) {
  const used = new Set(plans.flatMap((p) => p.indexes));
  const missing = intended.filter((group) => !group.some((name) => used.has(name))).map((g) => g.join(" or "));
  const seq = [...new Set(plans.flatMap((p) => p.seqScans))].filter((t) => bigTables.includes(t));
  return { ok: missing.length === 0 && seq.length === 0, used: [...used], missing, seq };
}
