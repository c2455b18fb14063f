// Stage 2's words: its table's caption and notes, and what limits a route that misses.
import { ms } from "../stats";

export const httpProse = {
  caption: (readSeconds: number, writeAmount: string) =>
    `Requests/s and latency through the local runtime vs the raw pg baseline (reads ${readSeconds} s each; writes ${writeAmount} requests each, every one a new user)`,
  notes: [
    "Both servers run in their own processes with a pool of 20 connections; the load generator (autocannon, in the bench process) shares neither event loop. Writes use a fresh user (own token) per request; orders add an Idempotency-Key and a Stripe sandbox PaymentIntent (each server calls its own in-process sandbox).",
    "The raw baseline verifies the same HS256 token, upserts the same user row, and sends the product's statements (captured from its Kysely queries) with pg, without middy, zod, Kysely or the Stripe SDK.",
  ],
  /** Where the time goes per route, from the code: what the lead can cut. */
  advice(route: string, productSql: number, rawSql: number): string {
    const sql = `${productSql.toFixed(1)} statements per request (raw ${rawSql.toFixed(1)})`;
    switch (route) {
      case "event":
      case "availability":
        return `${sql}. GET /events/{id} and /availability read the event, its ticket types and the waitlist count in one statement (events.repository.ts detailFromId, countersFromId); what remains over raw is the middy stack, zod and Kysely. Public reads carry Cache-Control (30 s for an event, 5 s for availability), so behind API Gateway or a CDN most of them never reach a function.`;
      case "rsvp":
        return `${sql}. registerRsvp (core/ticketing/rsvp.ts) sends one statement, place_rsvp (migration 0014), which writes the participation, the outbox row and the seat and returns the Participation; a second call happens only when the hot path loses the last seat and decides again under the event lock. The rest is the per-request user upsert (INSERT … ON CONFLICT DO UPDATE … WHERE, which locks the existing row), the middy stack and the after-commit mail nudge; the local runtime also renders and delivers every confirmation mail in the same process, which the raw baseline does not.`;
      case "orders":
        return `${sql}. Per order: the Idempotency-Key lookup, eventWithTicketType, one call of place_ticket_hold (participation, promo use, order, payment, audit row, intent task, key and both seat counters in one statement), the Stripe sandbox PaymentIntent, and one statement that records the intent, the task and the completed key; the answer is built from the returned rows.`;
      default:
        return sql;
    }
  },
  /** A p99 over 20 ms at 16 connections, with the raw baseline's own p99 for scale. */
  p99Advice: (route: string, product: { p50: number; sql: number }, raw: { p50: number; p99: number; sql: number }) =>
    `${raw.p99 >= 20 ? `The raw baseline's p99 is ${ms(raw.p99)} ms in the same run: at 16 connections this machine (2 cores shared by the load generator, both servers, PostgreSQL and whatever else runs) cannot show < 20 ms for either, so the target is not reachable here; the product's own share (${ms(product.p50 - raw.p50)} ms at p50): ` : ""}${httpProse.advice(route, product.sql, raw.sql)}`,
};
