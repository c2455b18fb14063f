// Scheduled daily: moves aged participation history (2 y) and completed payment transactions (7 y)
// to the archive tables in bounded batches; resumable and idempotent (core: archival).
import { archive } from "@evently/core/archival";
import { getDb } from "../lib/db";
import { job } from "../lib/job";
import { logger } from "../lib/observability";

/** Locally 16–27k rows/s; a 5,000-row batch holds its row locks for 0.2–0.5 s (tests/integration/jobs/archive.test.ts). */
const BATCH_SIZE = 5_000;
/** Left over for the last batch to commit and the run to be recorded before the timeout. */
const SAFETY_MS = 60_000;

export const handler = job("archive", async ({ remainingTimeMs }) =>
  archive(await getDb(), {
    batchSize: BATCH_SIZE,
    timeBudgetMs: Math.max(10_000, remainingTimeMs() - SAFETY_MS),
    onBatch: ({ table, moved, ms }) => logger.debug("Archive batch", { table, moved, ms: Math.round(ms) }),
  }),
);
