// 10. Cancelling a 10,000-ticket event: the product's cancelEvent with the payments hooks its route
// passes, against one statement writing the same rows; then the refunds its provider tasks send,
// drained by the product's own queue worker, settled by the product's webhook batch processor,
// and checked for exactly once — with every task message and webhook delivered a second time.
import pg from "pg";
import type { Actor } from "@evently/core/auth/actor";
import { createDb } from "@evently/core/db/client";
import { cancelEvent } from "@evently/core/events/lifecycle";
import { eventCancellationHooks } from "@evently/core/payments/cancellation";
import type { QueueMessage } from "@evently/core/ports/queue";
import { ROUTE_LIMITS } from "@evently/functions/manifest";
import { cancelFacts, oneStatementCancel, PRICE_MINOR, seedPaidEvent, type CancelFacts } from "../lib/cancel-sql";
import { counted, drainTasks, settleRefunds, sweepUntilDone } from "../lib/consumers";
import type { StageContext } from "../lib/context";
import { createMembers, createOrganizer } from "../lib/fixtures";
import { benchPaymentsDeps } from "../lib/instant-gateway";
import { cancelProse } from "../lib/prose";
import { refundingGateway } from "../lib/refund-gateway";
import { int, ms, perSecond, ratio } from "../lib/stats";

/** Worker invocations at a time: one per core here; each runs its batch's tasks in parallel. */
const WORKERS = 2;
const POOL = 10;
const REASON = "The venue flooded";
/** How long the sweep may take to finish what the worker left (tasks back off 2.5–5 s after a failed attempt). */
const SWEEP_DEADLINE_MS = 120_000;

export interface CancelRun {
  tickets: number;
  baselineMs: number;
  productMs: number;
  productStatements: number;
  limitSeconds: number;
  drainMs: number;
  drainStatements: number;
  settleMs: number;
  settleStatements: number;
  providerCalls: number;
  providerRefunds: number;
  facts: CancelFacts;
  /** The same facts after every task message and webhook was delivered again. */
  again: CancelFacts;
  providerRefundsAgain: number;
  /** Tasks the worker's invocations left to back off, run by the sweep. */
  swept: number;
  /** Tasks still pending when the sweep's deadline passed. */
  left: number;
  /** SQS records the worker reported failed (SQS would deliver them again, as the second pass does). */
  workerFailures: number;
}

export async function run(ctx: StageContext): Promise<void> {
  // Quick mode is a smoke check: 300 tickets still exercise every step, in seconds.
  const tickets = ctx.quick ? 300 : 10_000;
  const url = await (await ctx.postgres()).createDatabase("bench_cancel");
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => undefined);
  const db = createDb({ connectionString: url, max: POOL });
  const [{ setDb }, { setPaymentGateway, paymentsDeps }, { setTaskQueue }] = await Promise.all([
    import("@evently/functions/lib/db"),
    import("@evently/functions/lib/deps"),
    import("@evently/functions/lib/task-queue"),
  ]);
  const gateway = refundingGateway();
  const sent: QueueMessage[] = [];
  // The runtime's wiring, pointed at this database, this provider and a queue that keeps its messages.
  setDb(db);
  setPaymentGateway(gateway);
  setTaskQueue({ send: (m) => Promise.resolve(void sent.push(m)) });
  try {
    const deps = await paymentsDeps();
    const organizer = await createOrganizer(pool);
    const actor: Actor = { sub: organizer.sub, email: `${organizer.sub}@example.test`, roles: ["organizer"], userId: organizer.id };
    ctx.log(`seeding two events of ${int(tickets)} paid tickets each`);
    const cipher = benchPaymentsDeps(db).cipher;
    const baseline = await seedPaidEvent(pool, cipher, organizer.id, await createMembers(pool, "cancel-a", tickets), "a");
    const product = await seedPaidEvent(pool, cipher, organizer.id, await createMembers(pool, "cancel-b", tickets), "b");
    await pool.query("VACUUM ANALYZE");

    ctx.log("one statement: cancelling the first event");
    const client = await pool.connect();
    const started = performance.now();
    const baselineTasks = await oneStatementCancel(client, baseline.eventId, organizer.id, REASON).finally(() => client.release());
    const baselineMs = performance.now() - started;
    if (baselineTasks !== tickets) ctx.note(`the one statement wrote ${baselineTasks} refund tasks for ${tickets} payments`);
    // Only the product's refunds go to the provider: the baseline's tasks were rows to write, not work to do.
    await pool.query(
      `DELETE FROM provider_tasks WHERE payment_id IN (SELECT p.id FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.event_id = $1)`,
      [baseline.eventId],
    );

    ctx.log("product: cancelEvent with the payments hooks on the second event");
    const cancelled = await counted(() =>
      cancelEvent(deps.db, actor, product.eventId, { reason: REASON }, eventCancellationHooks(deps, actor)).then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
    );
    if (cancelled.result) {
      failedCommit(ctx, {
        tickets,
        baselineMs,
        productMs: cancelled.ms,
        statements: cancelled.statements,
        limitSeconds: ROUTE_LIMITS.bulk,
        error: cancelled.result,
      });
      return;
    }

    ctx.log(`draining ${int(sent.length)} task messages through the provider-task worker`);
    const pending = async () =>
      (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM provider_tasks WHERE status = 'pending'`)).rows[0]!.n;
    const drain = await counted(async () => {
      const failures = await drainTasks(sent, WORKERS);
      return { failures, ...(await sweepUntilDone(deps, pending, SWEEP_DEADLINE_MS)) };
    });
    if (drain.result.swept > 0) ctx.log(`${int(drain.result.swept)} tasks the worker left to back off were run by the sweep`);
    ctx.log(`settling ${int(gateway.books.refunds().length)} refunds through the webhook batch processor`);
    const settled = await counted(() => settleRefunds(deps, gateway.books.refunds(), WORKERS));
    const facts = await cancelFacts(pool, product.eventId);
    const providerRefunds = gateway.books.refunds().length;

    ctx.log("delivering every task message and refund webhook a second time");
    const again = await drainTasks(sent, WORKERS);
    await settleRefunds(deps, gateway.books.refunds(), WORKERS);
    const r: CancelRun = {
      tickets,
      baselineMs,
      productMs: cancelled.ms,
      productStatements: cancelled.statements,
      limitSeconds: ROUTE_LIMITS.bulk,
      drainMs: drain.ms,
      drainStatements: drain.statements,
      settleMs: settled.ms,
      settleStatements: settled.statements,
      providerCalls: gateway.books.calls,
      providerRefunds,
      facts,
      again: await cancelFacts(pool, product.eventId),
      providerRefundsAgain: gateway.books.refunds().length,
      swept: drain.result.swept,
      left: drain.result.left,
      workerFailures: drain.result.failures + again,
    };
    ctx.data.cancel = r;
    report(ctx, r);
  } finally {
    setTaskQueue(undefined);
    setPaymentGateway(undefined);
    await db.destroy();
    await pool.end();
  }
}

function exactlyOnce(r: CancelRun, f: CancelFacts, providerRefunds: number): string[] {
  const wrong: string[] = [];
  const n = r.tickets;
  if (f.payments !== n || f.refunds !== n || f.doubled !== 0)
    wrong.push(`${f.refunds} refunds for ${f.payments} payments, ${f.doubled} doubled`);
  if (providerRefunds !== n) wrong.push(`${providerRefunds} refunds at the provider`);
  if (f.refunded !== n || f.completedRefunds !== n) wrong.push(`${f.refunded} payments refunded, ${f.completedRefunds} refunds completed`);
  if (f.validTickets !== 0 || f.voidTickets !== n) wrong.push(`${f.validTickets} valid and ${f.voidTickets} void tickets`);
  if (f.tasksSucceeded !== n || f.tasksOther !== 0) wrong.push(`${f.tasksSucceeded} tasks succeeded, ${f.tasksOther} not`);
  if (f.paid !== n * PRICE_MINOR || f.paid !== f.refundedLedger + f.net || f.net !== 0)
    wrong.push(`ledger: paid ${f.paid} ≠ refunded ${f.refundedLedger} + net ${f.net}`);
  if ((f.participations.refunded ?? 0) !== n) wrong.push(`participations ${JSON.stringify(f.participations)}`);
  return wrong;
}

/** The cancellation rolled back: that is the finding; there are no refunds to drain. */
function failedCommit(
  ctx: StageContext,
  f: { tickets: number; baselineMs: number; productMs: number; statements: number; limitSeconds: number; error: Error },
): void {
  ctx.data.cancel = { ...f, error: f.error.message };
  ctx.check({
    name: `cancel: ${int(f.tickets)}-ticket event commits within the route's ${f.limitSeconds} s limit`,
    measured: `rolled back after ${ms(f.productMs)} ms (${f.error.message}); the one statement committed in ${ms(f.baselineMs)} ms`,
    target: `≤ ${f.limitSeconds} s`,
    pass: false,
    advice: cancelProse.rolledBackAdvice(f),
  });
  ctx.skipPart("the refunds", "the cancellation did not commit, so no refund task exists");
}

function report(ctx: StageContext, r: CancelRun): void {
  const limitMs = r.limitSeconds * 1000;
  const sentPerSecond = perSecond(r.providerRefunds, r.drainMs);
  const settledPerSecond = perSecond(r.providerRefunds, r.settleMs);
  const perRefund = (statements: number) => (statements / r.providerRefunds).toFixed(1);
  ctx.table({
    title: `Cancelling an event of ${int(r.tickets)} paid tickets, and its refunds`,
    columns: ["step", "ms", "per s", "vs one statement", "of the route's limit", "statements", "per refund"],
    rows: [
      ["one statement (baseline)", ms(r.baselineMs), "", "1.00×", ratio(r.baselineMs / limitMs), 4, ""],
      [
        "core cancelEvent + payments hooks: commit",
        ms(r.productMs),
        "",
        ratio(r.productMs / r.baselineMs),
        ratio(r.productMs / limitMs),
        int(r.productStatements),
        "",
      ],
      [
        "provider-task worker: refunds sent",
        ms(r.drainMs),
        int(sentPerSecond),
        "",
        "",
        int(r.drainStatements),
        perRefund(r.drainStatements),
      ],
      [
        "webhook batch processor: refunds settled",
        ms(r.settleMs),
        int(settledPerSecond),
        "",
        "",
        int(r.settleStatements),
        perRefund(r.settleStatements),
      ],
    ],
    notes: cancelProse.tableNotes(WORKERS, POOL),
  });
  ctx.check({
    name: `cancel: ${int(r.tickets)}-ticket event commits within the route's ${r.limitSeconds} s limit`,
    measured: `${ms(r.productMs)} ms (${ratio(r.productMs / limitMs)} of the limit; ${ratio(r.productMs / r.baselineMs)} the one statement's ${ms(r.baselineMs)} ms)`,
    target: `≤ ${r.limitSeconds} s`,
    pass: r.productMs <= limitMs,
    ...(r.productMs > limitMs ? { advice: cancelProse.commitAdvice(r) } : {}),
  });
  for (const step of [
    { name: "sent by the provider-task worker", perSecond: sentPerSecond, advice: cancelProse.drainAdvice },
    { name: "settled by the webhook batch processor", perSecond: settledPerSecond, advice: cancelProse.settleAdvice },
  ]) {
    ctx.check({
      name: `cancel: refunds ${step.name}`,
      measured: `${int(step.perSecond)}/s`,
      target: "≥ 100/s",
      pass: step.perSecond >= 100,
      ...(step.perSecond < 100 ? { advice: step.advice(r, WORKERS) } : {}),
    });
  }
  const wrong = exactlyOnce(r, r.facts, r.providerRefunds);
  ctx.check({
    name: "cancel: every payment refunded exactly once, every ticket void, ledger balanced",
    measured: `${wrong.length ? wrong.join("; ") : cancelProse.exactlyOnce(r)}${r.workerFailures ? cancelProse.redelivered(r.workerFailures) : ""}`,
    target: "all",
    pass: wrong.length === 0,
  });
  const wrongAgain = exactlyOnce(r, r.again, r.providerRefundsAgain);
  ctx.check({
    name: "cancel: every task message and refund webhook delivered twice changes nothing",
    measured: wrongAgain.length
      ? wrongAgain.join("; ")
      : `unchanged; ${int(r.providerCalls)} provider calls, ${int(r.providerRefundsAgain)} refunds`,
    target: "unchanged",
    pass: wrongAgain.length === 0,
  });
}
