// Stage 3's words: captions and notes of the rush tables, and what limits a miss.
import { int } from "../stats";

/** Why the whole order over HTTP stays under 1,000 holds/s on one event. */
function rushAdvice(limit: number, statementsPerOrder: number): string {
  const statements = Number.isFinite(statementsPerOrder) ? statementsPerOrder.toFixed(0) : "about 17";
  return `${Number.isFinite(limit) && limit < 1000 ? `The one-statement physical limit is ${int(limit)} holds/s on this machine in the same run, so 1,000/s on one event is out of reach here whatever the product does. ` : ""}Per order the runtime sends ${statements} statements and one Stripe sandbox call; the ratio against the limit (stage 8) is the figure to watch.`;
}

interface Burst {
  poolTimeout: boolean;
  fivexx: number;
  buyers: number;
  created: number;
  seatsTaken: number;
  runtimeError: string | undefined;
}

export const rushProse = {
  advice: rushAdvice,
  burstCaption: (buyers: number, seats: number) =>
    `(a) ${int(buyers)} buyers at once for ${seats} seats of one event, through HTTP (POST /events/{id}/orders, each with its own token and Idempotency-Key)`,
  burstNote: (warmup: number) =>
    `Every request was on its own already-open keep-alive socket, so all were sent in the same instant; the handler was warmed up by ${warmup} orders on another event first.`,
  /** What the 5xx of the burst were and what removes them. */
  burstAdvice: (o: Burst): string =>
    o.poolTimeout
      ? `${o.fivexx} buyers got a 500 after waiting over 5 s for a database connection (pg-pool: "timeout exceeded when trying to connect"): the local gateway runs all ${int(o.buyers)} invocations at once against the process's one pool of 20 (DB_POOL_MAX), and core/db/client.ts:31 sets connectionTimeoutMillis: 5_000. ${o.seatsTaken - o.created > 0 ? `${o.seatsTaken - o.created} of them had already committed their hold (seats_taken ${o.seatsTaken}, ${o.created} × 201): they hold a seat without a PaymentIntent, and since a 5xx releases the Idempotency-Key, their retry runs createOrder again and gets 409 already_registered. ` : ""}Fixes: (1) packages/local/src/server/http-server.ts:78 — cap concurrent handler invocations at DB_POOL_MAX with a small semaphore, so excess requests queue in the gateway as they would behind Lambda's concurrency, instead of timing out on the pool; (2) core/db/client.ts:31 — outside Lambda, a pool-acquire timeout at least the route timeout (30 s); (3) core/payments/orders.ts:80 — when the caller already holds a pending participation with an order on this event, resume it (attachIntent + orderResult) instead of 409, so a retried order after a post-commit failure returns the hold. In AWS each container has its own connection (pool max 1), so (1)–(2) are local-runtime fixes; (3) matters everywhere.`
      : `${o.fivexx} 5xx${o.runtimeError ? ` (runtime: ${o.runtimeError.slice(0, 200)})` : ""}; see the runtime log.`,
  oversold: "OVERSOLD: seats_taken exceeds capacity — the conditional UPDATE in ticketing/seats.ts did not hold.",
  sustainedCaption: (concurrency: number, seats: number, orders: number) =>
    `(b) sustained at concurrency ${concurrency} on one event with ${int(seats)} seats: ${int(orders)} orders through HTTP`,
  sustainedNotes: (concurrency: number, baseline: number, statementsPerOrder: number) => [
    `One statement = the limit stage's physical limit on one event at concurrency ${concurrency} in this run: ${Number.isFinite(baseline) ? `${int(baseline)} holds/s` : "not measured (run the limit stage too)"}.`,
    `Through HTTP an order is ${Number.isFinite(statementsPerOrder) ? statementsPerOrder.toFixed(1) : "–"} SQL statements plus one Stripe sandbox call (the sandbox runs inside the runtime process, as in \`npm start\`).`,
  ],
};
