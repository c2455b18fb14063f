// Stage 8's words: what the physical limit measures, and what limits the product against it.
import type { LimitRun } from "../../stages/limit";
import { int, ratio } from "../stats";

export const LIMIT_NOTES = [
  "One statement = a data-modifying CTE sent with pg: participation (pending, with its hold), the event's seats_taken and the ticket type's quantity_taken (event row first), order, payment, PaymentInitiated audit row, create_intent provider task and the Idempotency-Key — the rows a hold writes — in one round trip and one implicit transaction. A hold that finds no seat aborts the statement, so nothing is half-written. The RSVP baseline writes the active participation, seats_taken and the confirmation mail's outbox row the same way.",
  "core placeOrder = the product's own placeOrder (@evently/core/payments/orders) with an Idempotency-Key and a provider that answers at once in process; HTTP = POST /events/{id}/orders (Stripe sandbox PaymentIntent) and POST /events/{id}/rsvp through the local runtime (pool of 20, DB_POOL_MAX). In process, both sides get a pool as large as the concurrency, so only the code differs.",
];

const best = (runs: readonly LimitRun[], path: LimitRun["path"], events: number) =>
  Math.max(0, ...runs.filter((r) => r.path === path && r.events === events).map((r) => r.perSecond));

/** What limits a limit-stage miss, from the numbers of the same run. */
export function limitAdvice(kind: LimitRun["path"] | "collapse", runs: readonly LimitRun[]): string {
  const one = best(runs, "one statement", 1);
  const spread = best(runs, "one statement", 64);
  const hot = `One statement reaches ${int(one)} holds/s on one event and ${int(spread)} spread over 64 events (${ratio(spread / one)}): ${spread > 1.3 * one ? "the event row's lock is part of the limit" : "the CPU, not the event row, is the limit on this machine"}.`;
  switch (kind) {
    case "core placeOrder":
      return `${hot} placeOrder sends the Idempotency-Key lookup, eventWithTicketType, one call of place_ticket_hold (migration 0013: participation, promo use, order, payment, audit row, intent task, key and both seat counters, the event row locked last) and, after the provider call, one statement recording the intent, the task and the completed key; the answer is built from the returned rows. What remains over the one statement is the two reads before the hold and the provider round trip in process.`;
    case "HTTP order":
      return `${hot} Over HTTP an order adds the runtime's middy stack, token verification, the user upsert and a Stripe sandbox round trip in the same process as the handler; on 2 shared cores the load generator, the runtime and PostgreSQL compete for the same CPU.`;
    case "HTTP RSVP":
      return `registerRsvp is one statement (place_rsvp, migration 0014: participation, confirmation outbox row and seat, the event row locked last; the answer comes from the rows written), and core registerRsvp runs at about the one-statement baseline in process. What HTTP adds per request is the caller's user upsert (it locks the existing row, so a first-time caller commits a write), token verification, the middy stack, the after-commit mail nudge (a pg-boss job locally) and the local runtime rendering and delivering each confirmation mail in the same process, on the same 2 cores as the load generator and PostgreSQL; the raw baseline does none of these.`;
    case "collapse":
      return `${hot} More callers than cores queue on the event row: every transaction that holds its lock across round trips makes the others wait longer, so throughput falls as concurrency rises. Fewer statements while the row is locked (ideally one) and a cap on concurrent holds near the database's cores (reserved concurrency or RDS Proxy connections in AWS) keep it flat.`;
    default:
      return hot;
  }
}
