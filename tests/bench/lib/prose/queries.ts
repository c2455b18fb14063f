// Stage 1's words: captions and notes of its tables, and what limits a read query that misses.
import type { PlanSummary } from "../explain";
import { int, ms } from "../stats";

/** What limits a query whose p99 (or plan) misses, from its plans and the same run's baseline. */
export function queryAdvice(
  spec: { key: string; targetP99: number },
  plans: PlanSummary[],
  m: { product: { p50: number; p99: number }; baseline: { p50: number; p99: number }; statements: number },
): string {
  const exec = plans.reduce((s, p) => s + (Number.isFinite(p.executionMs) ? p.executionMs : 0), 0);
  const used = new Set(plans.flatMap((p) => p.indexes));
  const machine =
    m.baseline.p99 > spec.targetP99
      ? ` The reference SQL has p99 ${ms(m.baseline.p99)} ms on this machine in the same run, so part of the tail is the machine (CPU contention), not the query.`
      : "";
  switch (spec.key) {
    case "participants":
    case "participants-page":
      if (used.has("participations_created_at_idx"))
        return `eventParticipants (core/ticketing/dashboards.ts:104) filters on event_id and orders by (created_at, id); no index starts with (event_id, created_at), so PostgreSQL walks participations_created_at_idx backwards over the whole table (EXPLAIN: Index Scan Backward using participations_created_at_idx, ${int(Math.max(...plans.map((p) => p.executionMs)))} ms). Fix: a migration \`CREATE INDEX participations_event_id_created_at_idx ON participations (event_id, created_at, id)\` (it also serves the cursor's (created_at, id) > (…) keyset).${machine}`;
      return spec.key === "participants"
        ? `This reference reads the 500-person list as 5 pages of 100 through eventParticipants (core/attendees/participants.ts), ${m.statements} statements (each page re-checks the organizer, then reads the page); EXPLAIN execution totals ${ms(exec)} ms for all of them. Organizers may now ask for limit=500, one keyset page served by participations_event_created_idx: the one-request way to the ${spec.targetP99} ms target (this stage keeps the 100-row pages so runs stay comparable).${machine}`
        : `eventParticipants sends ${m.statements} statements (the organizer check, then the page), EXPLAIN execution ${ms(exec)} ms in total; the per-row LATERAL payment summary (orders + payments lookups for each of the 100 rows) is about half of it — a single LEFT JOIN to the latest order/payment via DISTINCT ON, or the payment status denormalized on orders, would halve it.${machine}`;
    case "capacity":
      return `getAvailability (core/events/availability.ts) sends ${m.statements} statement(s): the event row, its ticket types (json_agg) and the waitlisted count in one SELECT (events.repository.ts countersFromId); EXPLAIN execution is only ${ms(exec)} ms, so the rest is the code around the query and the machine.${machine}`;
    case "payment-history":
      return `getPayment (core/payments/payment-views.ts:88) sends ${m.statements} statements: the payment, then transactions, refunds and audit (withDetails, payment-views.ts:61) — a Promise.all that Lambda's one-connection pool serializes. Fold the three detail reads into the first statement as json_agg subqueries (one round trip); EXPLAIN execution totals ${ms(exec)} ms.${machine}`;
    default:
      return `The plan uses the intended indexes and executes in ${ms(exec)} ms (EXPLAIN); the product adds ${ms(m.product.p50 - m.baseline.p50)} ms at p50 over the reference SQL (Kysely compile, CamelCase mapping, to_char formatting, the waitlist-position and payment-summary subqueries).${machine}`;
  }
}

export const queriesProse = {
  advice: queryAdvice,
  seedCaption: (rows: number, seconds: number) =>
    `Seeding (INSERT … SELECT generate_series, triggers and FK checks off for the session, then VACUUM ANALYZE): ${int(rows)} rows in ${ms(seconds)} s`,
  seedNote: (counts: Record<string, number>) =>
    `Row counts after seeding: ${Object.entries(counts)
      .map(([t, n]) => `${t} ${int(n)}`)
      .join(", ")}.`,
  indexAdvice: (missing: readonly string[], seq: readonly string[]) =>
    `Missing ${missing.join("; ") || "–"}${seq.length ? `; sequential scan of ${seq.join(", ")}` : ""}: see the EXPLAIN excerpt for this query below.`,
  caption: (iterations: number) =>
    `Reference read queries at scale: latency of one call, sequential, one connection (up to ${int(iterations)} calls each; the 500-row walk up to ${int(Math.max(50, iterations / 4))})`,
  notes: [
    "Baseline = the reference query written by hand for this schema, run with `pg` on its own connection, interleaved with the product calls.",
    "The product's numbers include Kysely query building, the CamelCase plugin and result mapping; its queries return more (waitlist position, check-in time, payment summary) than the reference SQL.",
  ],
};
