// 10. Cancelling a 10,000-ticket event: the product's cancelEvent with the payments hooks its route
// passes, against one statement writing the same rows; then the refunds its provider tasks send,
// drained by the product's own queue worker, settled by the product's webhook batch processor,
// and checked for exactly once — with every task message and webhook delivered a second time.
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import pg from "pg";
import type { Actor } from "@evently/core/auth/actor";
import { createDb } from "@evently/core/db/client";
import { cancelEvent } from "@evently/core/events/lifecycle";
import { eventCancellationHooks } from "@evently/core/payments/cancellation";
import type { PaymentsDeps } from "@evently/core/payments/deps";
import type { QueueMessage } from "@evently/core/ports/queue";
import { processStripeBatch } from "@evently/core/webhooks";
import { taskConsumer, webhookConsumer } from "@evently/functions/consumers";
import { ROUTE_LIMITS } from "@evently/functions/manifest";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { toSqsRecord } from "@evently/local/queue/sqs-records";
import { cancelFacts, oneStatementCancel, PRICE_MINOR, seedPaidEvent, type CancelFacts } from "../lib/cancel-sql";
import type { StageContext } from "../lib/context";
import { createMembers, createOrganizer } from "../lib/fixtures";
import { benchPaymentsDeps } from "../lib/instant-gateway";
import { tracePg } from "../lib/pg-trace";
import { cancelProse } from "../lib/prose";
import { refundingGateway, refundSucceededEvents, type RefundBooks } from "../lib/refund-gateway";
import { runConcurrent } from "../lib/load";
import { int, ms, perSecond, ratio } from "../lib/stats";

/** Worker invocations at a time: one per core here; each runs its batch's tasks in parallel. */
const WORKERS = 2;
const POOL = 10;
const REASON = "The venue flooded";

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
  workerFailures: number;
}

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export async function run(ctx: StageContext): Promise<void> {
  const tickets = ctx.scale(10_000);
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

    ctx.log("product: cancelEvent with the payments hooks on the second event");
    const cancelled = await counted(() => cancelEvent(deps.db, actor, product.eventId, REASON, eventCancellationHooks(deps, actor)));

    ctx.log(`draining ${int(sent.length)} task messages through the provider-task worker`);
    const drain = await counted(() => drainTasks(sent));
    ctx.log(`settling ${int(gateway.books.refunds().length)} refunds through the webhook batch processor`);
    const settled = await counted(() => settle(deps, gateway.books.refunds()));
    const facts = await cancelFacts(pool, product.eventId);
    const providerRefunds = gateway.books.refunds().length;

    ctx.log("delivering every task message and refund webhook a second time");
    const again = await drainTasks(sent);
    await settle(deps, gateway.books.refunds());
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
      workerFailures: drain.result + again,
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

/** The messages as SQS hands them to the worker: batches of the consumer's size, WORKERS invocations at a time. */
async function drainTasks(messages: readonly QueueMessage[]): Promise<number> {
  const { handler } = await import("@evently/functions/queue/provider-tasks");
  const now = Date.now();
  const records = messages.map((m, i) =>
    toSqsRecord(
      { data: { id: `bench-task-${i}`, body: m.body, attributes: {}, sentAt: now }, receiveCount: 1, firstReceivedAt: now },
      "provider-tasks",
      "us-east-1",
    ),
  );
  const batches = chunk(records, taskConsumer.batchSize);
  let failures = 0;
  const r = await runConcurrent(batches.length, WORKERS, async (i) => {
    const event: SQSEvent = { Records: batches[i]! };
    const response = (await handler(event, lambdaContext(taskConsumer.name, taskConsumer.timeoutSeconds))) as SQSBatchResponse;
    failures += response.batchItemFailures.length;
  });
  return failures + r.failures;
}

/** refund.updated (succeeded) for every refund, in the webhook consumer's batches, WORKERS at a time. */
async function settle(deps: PaymentsDeps, refunds: ReturnType<RefundBooks["refunds"]>): Promise<void> {
  const batches = chunk(refundSucceededEvents(refunds), webhookConsumer.batchSize);
  const r = await runConcurrent(batches.length, WORKERS, async (i) => {
    const results = await processStripeBatch(deps, batches[i]!);
    const failed = results.find((x) => !x.ok);
    if (failed && !failed.ok) throw failed.error instanceof Error ? failed.error : new Error(String(failed.error));
  });
  if (r.failures > 0) throw new Error(`${r.failures} webhook batches failed`);
}

/** Runs `work` alone, timing it and counting every statement this process sends meanwhile. */
async function counted<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; statements: number }> {
  let statements = 0;
  const stop = tracePg(() => statements++);
  const started = performance.now();
  try {
    const result = await work();
    return { result, ms: performance.now() - started, statements };
  } finally {
    stop();
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
    measured: wrong.length ? wrong.join("; ") : cancelProse.exactlyOnce(r),
    target: "all",
    pass: wrong.length === 0 && r.workerFailures === 0,
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
