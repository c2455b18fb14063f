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
    " local queue is not what limits the product: per batch of 10 it costs one fetch and one settle (the settle overlaps the next fetch), an idle queue polls once per interval, and each batch finds its payments in one statement. What is left is the time around each statement in the runtime process: the product sends about the same statements as the raw processor, but one process runs ingest, queue, consumer, mail delivery (one nudge per outbox row) and the Stripe sandbox; settleSucceeded (core/payments/settlement.ts) still reads payment, order and participation before its first write. In AWS the SQS event source scales pollers with the queue, and each consumer has its own process.",
};
