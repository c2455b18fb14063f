// Stage 4's words: the pipeline table's caption and notes, and what limits a miss.
import { int } from "../stats";

export const webhooksProse = {
  caption: (o: { total: number; unique: number; duplicates: number; outOfOrder: number; connections: number }) =>
    `${int(o.total)} signed deliveries (${int(o.unique)} unique, ${int(o.duplicates)} duplicates, ${int(o.outOfOrder)} out of order) through ingest → queue → processor, ingest at concurrency ${o.connections}`,
  notes: (raw: { handled: number; duplicates: number; failures: number; completed: number; payments: number; doubleApplied: number }) => [
    "End to end = from the first delivery sent until every unique event is settled in webhook_events and the queue is idle. Both processors take batches of 10 with 4 pollers; the product's pg-boss queue lives in the same PostgreSQL.",
    `Raw processor: ${int(raw.handled)} handled, ${int(raw.duplicates)} found duplicate, ${raw.failures} failed; its database check: ${raw.completed}/${raw.payments} payments completed, ${raw.doubleApplied} double-applied.`,
  ],
  rateAdvice: (rawRate: number) =>
    (rawRate < 500
      ? `The raw pipeline (HMAC + INSERT ingest, the processor's SQL with pg) reaches ${int(rawRate)}/s in the same run, so 500/s is out of reach on this machine; the product's own share: the`
      : "The") +
    " local queue hands out 4 batches of 10 at a time (packages/local/src/queue/local-queue.ts:106, concurrency 4) and every batch settles with pg-boss complete/fail round trips; the processor's settleSucceeded's context() (core/payments/settlement.ts:17) sends 4 reads before its first write (payment FOR UPDATE, order, participation FOR UPDATE, latest order) — one SELECT … FOR UPDATE joining payments, orders and participations (plus the latest-order check as a subquery) saves three round trips per event. In AWS the SQS event source scales pollers with the queue; raise the local concurrency to match.",
};
