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
      return `${hot} placeOrder spends round trips the one statement does not: findEarlier's own transaction, eventWithTicketType, BEGIN, set_config, the participation upsert, the order CTE, takeSeats, claimKey, COMMIT, then ensureIntent (task lookup, lease, intent, task completion), completeKey and three reads for the answer. The event row is locked from takeSeats to COMMIT, so each round trip inside the transaction (claimKey after takeSeats) lengthens the hot lock; one server-side call for the hold (participation, seats, order, payment, task and key in one statement) removes them.`;
    case "HTTP order":
      return `${hot} Over HTTP an order adds the runtime's middy stack, token verification, the user upsert and a Stripe sandbox round trip in the same process as the handler; on 2 shared cores the load generator, the runtime and PostgreSQL compete for the same CPU.`;
    case "HTTP RSVP":
      return `registerRsvp reads the event, then BEGIN, set_config, INSERT, the seat UPDATE, the mail context read, the outbox INSERT and COMMIT, then re-reads the participation for the answer: about 9 round trips against the baseline's 1, plus the HTTP stack. Returning the view from the INSERT … RETURNING and building the mail row in the same statement would remove most of them.`;
    case "collapse":
      return `${hot} More callers than cores queue on the event row: every transaction that holds its lock across round trips makes the others wait longer, so throughput falls as concurrency rises. Fewer statements while the row is locked (ideally one) and a cap on concurrent holds near the database's cores (reserved concurrency or RDS Proxy connections in AWS) keep it flat.`;
    default:
      return hot;
  }
}
