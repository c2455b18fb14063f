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
        ? `This reference reads the 500-person list as 5 pages of 100 through eventParticipants (core/attendees/participants.ts), ${m.statements} statements (one per page, the door check inside each); EXPLAIN execution totals ${ms(exec)} ms. Organizers may ask for limit=500, one statement: the one-request way to the ${spec.targetP99} ms target (this stage keeps the 100-row pages so runs stay comparable).${machine}`
        : `eventParticipants (core/attendees/participants.ts) sends ${m.statements} statement per page: the door facts as a CTE, the page only under doorGate, each row's latest order and payment from one lateral (orderSummary), tickets as a json_agg column; EXPLAIN execution ${ms(exec)} ms. The rest over the reference SQL is per-row work the reference does not do (waitlist position, five to_char renderings, the order/payment choice, the tickets subquery) and planning a larger statement; a named prepared statement (plan cache) is the remaining lever.${machine}`;
    case "capacity":
      return `getAvailability (core/events/availability.ts) sends ${m.statements} statement(s): the event row, its ticket types (json_agg) and the waitlisted count in one SELECT (events.repository.ts countersFromId); EXPLAIN execution is only ${ms(exec)} ms, so the rest is the code around the query and the machine.${machine}`;
    case "payment-history":
      return `getPayment (core/payments/payment-views.ts) sends ${m.statements} statement: the payment with its transactions, refunds and audit as ordered json_agg columns; EXPLAIN execution ${ms(exec)} ms. It returns the whole Payment resource (three lists and the organizer for the access check) where the reference reads one list; planning the three subqueries is most of what remains.${machine}`;
    case "dashboard":
      return `myParticipations (core/ticketing/dashboards.ts) sends ${m.statements} statement: the page with each row's payment summary and its tickets as a json_agg column; EXPLAIN execution ${ms(exec)} ms. The product adds ${ms(m.product.p50 - m.baseline.p50)} ms at p50 (planning a larger statement, waitlist position, to_char, CamelCase mapping).${machine}`;
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
