// Archival (the retention periods of docs/API.md "Scheduled jobs"): participation history older than 2 years and completed payment
// transactions older than 7 years move to their _archive tables in short, bounded batches.
import { sql, type RawBuilder } from "kysely";
import type { Db } from "../db/client";

export interface ArchiveOptions {
  /** Rows moved per transaction; each batch holds its row locks only for one statement. */
  batchSize: number;
  /** No new batch starts once this is spent (or would be, judging by the longest batch so far). */
  timeBudgetMs: number;
  /** The clock the retention cut-offs count back from (tests); default the database's now(). */
  now?: Date;
  /** Called after every committed batch, for progress logs. */
  onBatch?: (batch: { table: ArchiveTable; moved: number; ms: number }) => void | Promise<void>;
}

export type ArchiveTable = "participationHistory" | "paymentTransactions";

export interface ArchiveResult {
  participationHistory: number;
  paymentTransactions: number;
  batches: number;
  longestBatchMs: number;
  durationMs: number;
  /** True when the budget ran out with archivable rows left; the next run carries on. */
  moreRemaining: boolean;
}

interface Target {
  key: ArchiveTable;
  table: string;
  /** The retention rule, with the cut-off bound; ordered by the column its index covers. */
  due: (cutoff: Date) => RawBuilder<unknown>;
  orderBy: string;
}

const TARGETS: readonly Target[] = [
  { key: "participationHistory", table: "participation_history", due: (c) => sql`created_at < ${c}`, orderBy: "created_at" },
  // Uses payment_transactions_archivable_idx (processed_at) WHERE status = 'completed'.
  {
    key: "paymentTransactions",
    table: "payment_transactions",
    due: (c) => sql`status = 'completed' AND processed_at < ${c}`,
    orderBy: "processed_at",
  },
];

/** A batch may never run long, whatever the planner does: a stuck one aborts instead of blocking. */
const STATEMENT_TIMEOUT = "60s";

/**
 * Moves one batch. DELETE … RETURNING feeds the INSERT in the same statement, so a row is in
 * exactly one table whatever happens: killed before commit, nothing moved. The archive keeps the
 * primary key, so ON CONFLICT DO NOTHING makes a repeat harmless. SKIP LOCKED lets two runs share.
 */
async function moveBatch(db: Db, target: Target, cutoff: Date, limit: number): Promise<number> {
  const table = sql.table(target.table);
  const archive = sql.table(`${target.table}_archive`);
  const order = sql.ref(target.orderBy);
  return db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('statement_timeout', ${STATEMENT_TIMEOUT}, true)`.execute(trx);
    const { rows } = await sql<{ moved: number }>`
      WITH moved AS (
        DELETE FROM ${table} WHERE id IN (
          SELECT id FROM ${table} WHERE ${target.due(cutoff)} ORDER BY ${order} LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING *
      ), archived AS (
        INSERT INTO ${archive} SELECT * FROM moved ON CONFLICT (id) DO NOTHING RETURNING 1
      )
      SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM archived)::int AS archived`.execute(trx);
    return rows[0]?.moved ?? 0;
  });
}

async function anyDue(db: Db, target: Target, cutoff: Date): Promise<boolean> {
  const { rows } = await sql<{
    due: boolean;
  }>`SELECT EXISTS (SELECT 1 FROM ${sql.table(target.table)} WHERE ${target.due(cutoff)}) AS due`.execute(db);
  return rows[0]?.due ?? false;
}

/** The cut-offs, computed once per run by PostgreSQL's calendar arithmetic (leap days included). */
async function cutoffs(db: Db, now?: Date): Promise<Record<ArchiveTable, Date>> {
  const at = now ? sql`${now.toISOString()}::timestamptz` : sql`now()`;
  const { rows } = await sql<Record<ArchiveTable, Date>>`
    SELECT ${at} - interval '2 years' AS "participationHistory", ${at} - interval '7 years' AS "paymentTransactions"`.execute(db);
  return rows[0]!;
}

export async function archive(db: Db, options: ArchiveOptions): Promise<ArchiveResult> {
  const started = performance.now();
  const result: ArchiveResult = {
    participationHistory: 0,
    paymentTransactions: 0,
    batches: 0,
    longestBatchMs: 0,
    durationMs: 0,
    moreRemaining: false,
  };
  const cutoff = await cutoffs(db, options.now);
  // Every run moves something before the budget can stop it, so even a tiny budget makes progress.
  const outOfTime = () => {
    if (result.participationHistory + result.paymentTransactions === 0) return false;
    const elapsed = performance.now() - started;
    return elapsed >= options.timeBudgetMs || elapsed + result.longestBatchMs > options.timeBudgetMs;
  };
  for (const target of TARGETS) {
    for (;;) {
      if (outOfTime()) {
        result.moreRemaining = (await anyDue(db, target, cutoff[target.key])) || result.moreRemaining;
        break;
      }
      const batchStarted = performance.now();
      const moved = await moveBatch(db, target, cutoff[target.key], options.batchSize);
      const ms = performance.now() - batchStarted;
      result[target.key] += moved;
      result.batches += 1;
      result.longestBatchMs = Math.max(result.longestBatchMs, Math.round(ms));
      await options.onBatch?.({ table: target.key, moved, ms });
      if (moved < options.batchSize) break;
    }
  }
  result.durationMs = Math.round(performance.now() - started);
  return result;
}
