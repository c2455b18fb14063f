// Stage 5's words: the archive table's caption and notes, and what limits a miss.
import { int } from "../stats";

interface Counts {
  ph: number;
  pha: number;
  pt: number;
  pta: number;
}

export const archiveProse = {
  caption: (history: number, transactions: number) =>
    `The archive job over ${int(history)} history rows and ${int(transactions)} payment transactions`,
  notes: (o: { counts: unknown; again: unknown; before: Counts; after: Counts; expected: number; batchSize: number }) => [
    `Job counts: ${JSON.stringify(o.counts)}; second run: ${JSON.stringify(o.again)}.`,
    `Rows before → after: history ${int(o.before.ph)} → ${int(o.after.ph)} (archive ${int(o.after.pha)}), transactions ${int(o.before.pt)} → ${int(o.after.pt)} (archive ${int(o.after.pta)}); expected to move ${int(o.expected)}. Average batch ${int(o.batchSize)} rows.`,
    "Longest batch = the longest BEGIN…COMMIT the job's connection held (from the statements traced in this process), i.e. how long its row locks lasted.",
  ],
  noBatches: "no DELETE seen in the job's statements: the longest batch could not be timed",
  rateAdvice:
    "moveBatch (core/archival/index.ts) finds due rows through the created_at/processed_at index and then re-finds each by primary key (DELETE … WHERE id IN (SELECT id …)); batches commit one at a time on one connection. Raise BATCH_SIZE (functions/src/jobs/archive.ts) while the longest batch stays well under 1 s, and select ctid instead of id in the inner query to drop the per-row primary-key probe.",
  batchAdvice:
    "Lower BATCH_SIZE in packages/functions/src/jobs/archive.ts (5,000) so one batch's locks are held under a second on this hardware, or make it adaptive from the previous batch's duration (the job already measures it).",
};
