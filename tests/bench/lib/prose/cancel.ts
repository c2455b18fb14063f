// Stage 10's words: what cancelling a sold-out event measures, and what limits its figures.
import type { CancelRun } from "../../stages/cancel";
import { int, ms, ratio } from "../stats";

const perRefund = (statements: number, r: CancelRun) => (statements / r.providerRefunds).toFixed(1);

export const CANCEL_NOTES = [
  "Two events are seeded alike with plain SQL: one active ticket per buyer (issued by the ticket trigger), a confirmed order, a completed payment with its encrypted PaymentIntent id and its ledger row. The baseline cancels the first in one statement inside one transaction, writing every row the product writes (event and counters, participations — their tickets voided and history recorded by the triggers — orders, one refund with its audit row and provider task per payment, the cancellation mail's outbox row, the status history); the product cancels the second with core cancelEvent and the payments hooks its route passes, so the commit time is what POST /events/{id}/cancel spends before it answers.",
  "The refunds are the product's own provider tasks: the messages the cancellation enqueued are handed, as SQS records, to the provider-task worker (functions/queue/provider-tasks) against a provider that refunds at once in process, then every refund's refund.updated webhook goes through the product's webhook batch processor. Then everything is delivered a second time, as SQS and Stripe may, and nothing may change.",
];

const COMMIT_FIX =
  "cancelEvent brings every cancelled participation back to Node (returningAll), then settleCancelledTickets sends their ids back as arrays for the orders, reads and locks the payments, and reserveRefunds (one statement that joins the payments to a jsonb list of them and sums each one's processing refunds) and the mail outbox write per row; all of it inside the transaction that holds the event row. Moving the whole cancellation into one set-based statement keyed by the event (as the baseline does), or answering 202 and cancelling in batches in the task worker, keeps the request inside its limit.";

export const cancelProse = {
  tableNotes: (workers: number, pool: number) => [
    `Worker: batches of 10 SQS messages of up to 50 task ids, ${workers} invocations at a time on a pool of ${pool} connections; the provider answers in process, so refunds/s is the product's own work per refund. Tasks an invocation leaves to back off (an attempt that failed, e.g. past the invocation's 30 s deadline) are finished by the sweep (core runDueTasks, as the minute job runs it), and that time counts too. Statements: every statement the product sent from BEGIN to the last after-commit enqueue.`,
    "Stripe's live-mode rate limit is 100 write requests/s per account: beyond it refunds/s buys nothing, so that is the target.",
  ],
  commitAdvice: (r: CancelRun) =>
    `At ${int(r.tickets)} tickets the cancellation takes ${ms(r.productMs)} ms, ${ratio(r.productMs / (r.limitSeconds * 1000))} of the route's ${r.limitSeconds} s limit (the one statement: ${ms(r.baselineMs)} ms), in ${int(r.productStatements)} statements. ${COMMIT_FIX}`,
  rolledBackAdvice: (f: {
    tickets: number;
    baselineMs: number;
    productMs: number;
    statements: number;
    limitSeconds: number;
    error: Error;
  }) =>
    `At ${int(f.tickets)} tickets the cancellation failed after ${ms(f.productMs)} ms and ${int(f.statements)} statements (${f.error.message}) where one statement writing the same rows committed in ${ms(f.baselineMs)} ms. Outside Lambda the pool's 30 s statement_timeout applies; in Lambda the route's ${f.limitSeconds} s deadline caps each statement sooner, so the organizer gets an error and nothing is cancelled. ${COMMIT_FIX}`,
  drainAdvice: (r: CancelRun, workers: number) =>
    `${int(r.providerRefunds)} refunds took ${ms(r.drainMs)} ms with ${workers} worker invocations at a time, ${perRefund(r.drainStatements, r)} statements per refund: a lease UPDATE, a read of the refund and its payment, the provider call, the refund's provider id UPDATE and the task's completion UPDATE, each its own round trip. More invocations at a time (the SQS event source's maximum concurrency) or one statement that leases a message's tasks together would raise it.`,
  settleAdvice: (r: CancelRun, workers: number) =>
    `${int(r.providerRefunds)} refund.updated webhooks took ${ms(r.settleMs)} ms in batches of 10, ${workers} at a time, ${perRefund(r.settleStatements, r)} statements per refund: a batch applies its events one after another in one transaction (find the refund, lock the payment, complete the refund, the refund mail's outbox row, the payment, its ledger row, its audit row, then the order and the participation), so every statement is a round trip the others wait for. Completing a batch's refunds set-based (one statement per table for all its refunds, as settleCancelledTickets does on the way in) would remove most of them.`,
  redelivered: (records: number) =>
    `; ${int(records)} SQS record(s) reported failed by the worker, which SQS delivers again (as the second pass does)`,
  exactlyOnce: (r: CancelRun) =>
    `${int(r.facts.refunds)} refunds for ${int(r.facts.payments)} payments, none doubled; ${int(r.providerRefunds)} at the provider; ${int(r.facts.refunded)} payments refunded; ${int(r.facts.voidTickets)} tickets void, 0 valid; ledger ${int(r.facts.paid / 100)}.00 paid = ${int(r.facts.refundedLedger / 100)}.00 refunded + ${int(r.facts.net / 100)}.00 net`,
};
