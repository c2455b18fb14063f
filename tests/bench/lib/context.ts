// What a stage gets from the runner: its scale, a progress printer and the reporter's recorders.
import type { Live } from "./live";
import type { BenchPostgres } from "./pg";
import { formatCheck, formatTable, type Block, type Check, type StageName, type StageResult, type Table } from "./report";
import { int } from "./stats";

/** Thrown by `ctx.skip()`: the stage reports "skipped: <reason>" instead of failing. */
export class SkipStage extends Error {}

export interface StageContext {
  name: StageName;
  quick: boolean;
  /** The full-mode count, or a tenth of it in quick mode. */
  scale(full: number): number;
  log(line: string): void;
  /** "seeding participations 400,000/1,000,000". */
  progress(what: string, done: number, total: number): void;
  table(t: Table): void;
  check(c: Check): void;
  note(line: string): void;
  block(b: Block): void;
  /** A part of the stage cannot run yet (a feature still being written): say why, carry on. */
  skipPart(what: string, reason: string): void;
  /** The whole stage cannot run yet. */
  skip(reason: string): never;
  data: Record<string, unknown>;
  postgres(): Promise<BenchPostgres>;
  /** The runtime and the raw server on the shared database (started on first use). */
  live(): Promise<Live>;
  /** A stage that already ran in this invocation (the memory stage reads the others' samples). */
  earlier(name: StageName): StageResult | undefined;
}

export type Stage = (ctx: StageContext) => Promise<void>;

export function createContext(options: {
  name: StageName;
  title: string;
  quick: boolean;
  postgres: () => Promise<BenchPostgres>;
  live: () => Promise<Live>;
  earlier: (name: StageName) => StageResult | undefined;
}): { ctx: StageContext; result: StageResult; finish(): StageResult } {
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const result: StageResult = {
    name: options.name,
    title: options.title,
    status: "ok",
    mode: options.quick ? "quick" : "full",
    startedAt: new Date().toISOString(),
    durationMs: 0,
    tables: [],
    checks: [],
    notes: [],
    blocks: [],
    data: {},
  };
  const stamp = () => `[${options.name} +${((performance.now() - started) / 1000).toFixed(1)}s]`;
  const log = (line: string) => console.log(`${stamp()} ${line}`);
  const ctx: StageContext = {
    name: options.name,
    quick: options.quick,
    scale: (full) => (options.quick ? Math.max(1, Math.round(full / 10)) : full),
    log,
    progress: (what, done, total) => log(`${what} ${int(done)}/${int(total)}`),
    table(t) {
      result.tables.push(t);
      console.log(formatTable(t));
    },
    check(c) {
      result.checks.push(c);
      console.log(formatCheck(c));
    },
    note(line) {
      result.notes.push(line);
      log(`note: ${line}`);
    },
    block(b) {
      result.blocks.push(b);
    },
    skipPart(what, reason) {
      result.notes.push(`skipped: ${what}: ${reason}`);
      if (result.status === "ok") result.status = "partial";
      log(`skipped: ${what}: ${reason}`);
    },
    skip(reason) {
      throw new SkipStage(reason);
    },
    data: result.data,
    postgres: options.postgres,
    live: options.live,
    earlier: options.earlier,
  };
  return {
    ctx,
    result,
    finish() {
      result.durationMs = Math.round(performance.now() - started);
      const cpu = process.cpuUsage(cpuAtStart);
      result.cpuMs = Math.round((cpu.user + cpu.system) / 1000);
      return result;
    },
  };
}
