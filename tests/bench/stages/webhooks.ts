// 4. The webhook pipeline: signed Stripe events for real pending payments (20 % duplicates, 10 % out of
// order) through POST /webhooks/stripe → local queue (pg-boss) → processor, end to end; then the
// database is checked for lost or double-applied events. Baseline: the same deliveries through a
// raw ingest (HMAC check + INSERT) and a raw processor sending the processor's SQL with `pg`, batch
// for batch (one transaction per batch of 10).
import type pg from "pg";
import { createDb, type Db } from "@evently/core/db/client";
import { LOCAL_DEFAULTS } from "@evently/local/env-defaults";
import type { StageContext } from "../lib/context";
import { createEvent, createMembers, createOrganizer } from "../lib/fixtures";
import { loadTest, runConcurrent, smoke, type LoadResult } from "../lib/load";
import type { ServerChild } from "../lib/proc";
import { webhooksProse } from "../lib/prose";
import { runRawProcessor } from "../lib/raw-processor";
import { int, ms, perSecond, ratio, sleep } from "../lib/stats";
import { paymentsNeeded, planDeliveries, signature, type DeliveryPlan, type PendingPayment } from "../lib/webhook-events";

const SECRET = process.env.STRIPE_WEBHOOK_SECRET ?? LOCAL_DEFAULTS.STRIPE_WEBHOOK_SECRET;
const INGEST_CONNECTIONS = 16;

interface Verdict {
  inbox: number;
  inboxProcessed: number;
  retried: number;
  completed: number;
  notCompleted: number;
  paymentTxs: number;
  doubleApplied: number;
  failureRowsOver1: number;
  active: number;
}

async function verify(pool: pg.Pool, plan: DeliveryPlan, payments: readonly PendingPayment[]): Promise<Verdict> {
  const ids = [...new Set(plan.deliveries.map((d) => d.eventId))];
  const paymentIds = payments.map((p) => p.paymentId);
  const inbox = (
    await pool.query<{ n: number; processed: number; retried: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'processed' AND processed_at IS NOT NULL)::int AS processed, count(*) FILTER (WHERE attempts > 1)::int AS retried
       FROM webhook_events WHERE provider_event_id = ANY($1)`,
      [ids],
    )
  ).rows[0]!;
  const pay = (
    await pool.query<{ completed: number; other: number }>(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*) FILTER (WHERE status <> 'completed')::int AS other FROM payments WHERE id = ANY($1)`,
      [paymentIds],
    )
  ).rows[0]!;
  const tx = (
    await pool.query<{ n: number; doubled: number }>(
      `SELECT count(*)::int AS n, (SELECT count(*)::int FROM (SELECT payment_id FROM payment_transactions WHERE payment_id = ANY($1) AND type = 'payment' GROUP BY payment_id HAVING count(*) > 1) d) AS doubled
       FROM payment_transactions WHERE payment_id = ANY($1) AND type = 'payment'`,
      [paymentIds],
    )
  ).rows[0]!;
  const failures = (
    await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT payment_id FROM payment_failures WHERE payment_id = ANY($1) GROUP BY payment_id HAVING count(*) > 1) f`,
      [paymentIds],
    )
  ).rows[0]!;
  const active = (
    await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM participations p JOIN orders o ON o.participation_id = p.id JOIN payments pay ON pay.order_id = o.id WHERE pay.id = ANY($1) AND p.status = 'active'`,
      [paymentIds],
    )
  ).rows[0]!;
  return {
    inbox: inbox.n,
    inboxProcessed: inbox.processed,
    retried: inbox.retried,
    completed: pay.completed,
    notCompleted: pay.other,
    paymentTxs: tx.n,
    doubleApplied: tx.doubled,
    failureRowsOver1: failures.n,
    active: active.n,
  };
}

export async function run(ctx: StageContext): Promise<void> {
  const live = await ctx.live();
  const db: Db = createDb({ connectionString: live.url, max: 20 });
  try {
    await measure(ctx, { pool: live.pool, db, runtime: live.runtime, raw: live.raw });
  } finally {
    await db.destroy();
  }
}

async function measure(ctx: StageContext, o: { pool: pg.Pool; db: Db; runtime: ServerChild; raw: ServerChild }): Promise<void> {
  const total = ctx.quick ? 500 : 10_000;
  const need = paymentsNeeded(total);
  const sandboxUrl = String(o.runtime.ready.sandboxUrl);
  const apiUrl = String(o.runtime.ready.apiUrl);
  const rawUrl = String(o.raw.ready.apiUrl);

  const smokePayload = JSON.stringify({
    id: "evt_bench_smoke",
    object: "event",
    created: Math.floor(Date.now() / 1000),
    type: "customer.created",
    data: { object: { id: "cus_bench", object: "customer" } },
  });
  const broken = await smoke(
    apiUrl,
    { method: "POST", path: "/webhooks/stripe", headers: { "stripe-signature": signature(smokePayload, SECRET) }, body: smokePayload },
    o.runtime.recentErrors,
  );
  if (broken) ctx.skip(broken);

  // Pending payments with real PaymentIntents in the runtime's Stripe sandbox (the processor re-reads
  // the intent for payment_failed), made by the product's createOrder and Stripe gateway in-process.
  process.env.STRIPE_API_BASE = sandboxUrl;
  const [{ createOrder }, { createFieldCipher }, { stripeGateway }] = await Promise.all([
    import("@evently/core/payments/orders"),
    import("@evently/core/payments/crypto"),
    import("@evently/functions/lib/stripe-gateway"),
    // createOrder issues tickets, so the process needs the ticket signing key (generated for it here).
    import("@evently/functions/lib/ticket-keys"),
  ]);
  const cipher = createFieldCipher(LOCAL_DEFAULTS.DATA_KEY, LOCAL_DEFAULTS.BLIND_INDEX_KEY);
  const deps = { db: o.db, gateway: stripeGateway, cipher, holdTtlSeconds: 3_600 };
  const organizer = await createOrganizer(o.pool);
  const makePayments = async (tag: string): Promise<PendingPayment[]> => {
    const ev = await createEvent(o.pool, organizer.id, { kind: "ticketed", capacity: need.payments + 10, title: `webhooks ${tag}` });
    const members = await createMembers(o.pool, `wh-${tag}`, need.payments);
    let done = 0;
    const r = await runConcurrent(need.payments, 32, async (i) => {
      const result = await createOrder(deps, members[i]!, ev.eventId, { ticketTypeId: ev.ticketTypeId!, quantity: 1 });
      if (++done % Math.max(1, Math.round(need.payments / 4)) === 0) ctx.progress(`creating pending orders (${tag})`, done, need.payments);
      return { paymentId: result.payment!.id, intentId: result.payment!.providerPaymentId!, amountMinor: result.payment!.amountMinor };
    });
    if (r.failures) throw new Error(`${r.failures} orders failed: ${String(r.results.find((x) => x instanceof Error))}`);
    return r.results as PendingPayment[];
  };
  const productPayments = await makePayments("product");
  // The raw pipeline reuses these payments, put back to pending afterwards, with new event ids.
  const rawPayments = productPayments;
  const productPlan = planDeliveries(productPayments, total, "bp", 11);
  const rawPlan = planDeliveries(rawPayments, total, "br", 11);
  ctx.log(
    `${int(total)} deliveries each: ${int(productPlan.unique)} unique events for ${int(need.payments)} payments (${int(need.pairs)} failed-then-succeeded, ${int(need.outOfOrder)} delivered out of order), ${int(productPlan.duplicates)} duplicates`,
  );
  // Anything the order creation left in the queue must not count.
  await o.runtime.request("idle", { timeoutMs: 120_000 }, 130_000);

  const ingest = (baseUrl: string, plan: DeliveryPlan) =>
    loadTest({
      url: baseUrl,
      connections: INGEST_CONNECTIONS,
      amount: plan.deliveries.length,
      make: (i) => {
        const d = plan.deliveries[i]!;
        return { method: "POST", path: "/webhooks/stripe", headers: { "stripe-signature": signature(d.payload, SECRET) }, body: d.payload };
      },
    });

  // -- product: ingest → pg-boss → processor --------------------------------------------------------
  ctx.log("product pipeline: POST /webhooks/stripe → local queue → webhook processor");
  const uniqueIds = [...new Set(productPlan.deliveries.map((d) => d.eventId))];
  const started = performance.now();
  let ingestDoneAt = 0;
  const ingestRun: Promise<LoadResult> = ingest(apiUrl, productPlan).then((r) => {
    ingestDoneAt = performance.now();
    return r;
  });
  // Done when every unique event is settled in the inbox and the queue is empty.
  let settled = 0;
  let lastLog = performance.now();
  const deadline = started + (ctx.quick ? 120_000 : 300_000);
  for (;;) {
    settled = (
      await o.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_events WHERE provider_event_id = ANY($1) AND processed_at IS NOT NULL`,
        [uniqueIds],
      )
    ).rows[0]!.n;
    if (ingestDoneAt && settled >= uniqueIds.length) break;
    if (performance.now() > deadline) break;
    if (performance.now() - lastLog > 2_000) {
      ctx.progress("events settled in the inbox", settled, uniqueIds.length);
      lastLog = performance.now();
    }
    await sleep(50);
  }
  const ingestResult = await ingestRun;
  const idle = await o.runtime.request("idle", { timeoutMs: 120_000 }, 130_000).then(
    () => true,
    (e: unknown) => (ctx.note(`queue not idle: ${String(e)}`), false),
  );
  // The raw run resets the same payments: with the product still processing, the two would race.
  if (!idle)
    throw new Error(
      `the product pipeline did not drain (${int(settled)}/${int(uniqueIds.length)} events settled in ${((performance.now() - started) / 1000).toFixed(0)} s); the machine is too loaded to measure`,
    );
  const productMs = performance.now() - started;
  const deadLetters = (await o.runtime.request<{ count: number }>("deadLetters")).count;
  const verdict = await verify(o.pool, productPlan, productPayments.slice(0, need.payments));

  // -- raw: HMAC + INSERT ingest, SQL processor ------------------------------------------------------
  const ids = productPayments.map((p) => p.paymentId);
  await o.pool.query("DELETE FROM payment_transactions WHERE payment_id = ANY($1)", [ids]);
  await o.pool.query("DELETE FROM payment_failures WHERE payment_id = ANY($1)", [ids]);
  await o.pool.query(
    "UPDATE payments SET status = 'pending', processed_at = NULL, card_brand = NULL, card_last4 = NULL WHERE id = ANY($1)",
    [ids],
  );
  await o.pool.query(
    "UPDATE orders SET status = 'pending', hold_expires_at = now() + interval '1 hour' WHERE id IN (SELECT order_id FROM payments WHERE id = ANY($1))",
    [ids],
  );
  await o.pool.query(
    `UPDATE participations SET status = 'pending', hold_expires_at = now() + interval '1 hour', cancelled_at = NULL, cancellation_reason = NULL
     WHERE id IN (SELECT o.participation_id FROM orders o JOIN payments p ON p.order_id = o.id WHERE p.id = ANY($1))`,
    [ids],
  );
  await o.pool.query("VACUUM ANALYZE payments, orders, participations, payment_transactions, webhook_events");
  ctx.log("raw pipeline (same payments, put back to pending): HMAC check + INSERT → table queue → processor SQL with pg");
  const rawStarted = performance.now();
  const [rawIngest, rawProcessed] = await Promise.all([
    ingest(rawUrl, rawPlan),
    runRawProcessor(o.pool, new URL(sandboxUrl), rawPlan.deliveries.length, (plain) => cipher.blindIndex(plain)),
  ]);
  const rawMs = performance.now() - rawStarted;
  const rawVerdict = await verify(o.pool, rawPlan, rawPayments.slice(0, need.payments));

  const productRate = perSecond(productPlan.deliveries.length, productMs);
  const rawRate = perSecond(rawPlan.deliveries.length, rawMs);
  const lost = uniqueIds.length - verdict.inboxProcessed;
  const notApplied = need.payments - verdict.completed;
  ctx.table({
    title: webhooksProse.caption({
      total,
      unique: productPlan.unique,
      duplicates: productPlan.duplicates,
      outOfOrder: productPlan.outOfOrder,
      connections: INGEST_CONNECTIONS,
    }),
    columns: [
      "pipeline",
      "deliveries/s end to end",
      "unique events/s",
      "seconds",
      "ingest req/s",
      "ingest p50 ms",
      "ingest p99 ms",
      "ingest non-2xx",
    ],
    rows: [
      [
        "product: POST /webhooks/stripe → pg-boss → processor",
        int(productRate),
        int(perSecond(uniqueIds.length, productMs)),
        (productMs / 1000).toFixed(1),
        int(ingestResult.rps),
        ms(ingestResult.p50),
        ms(ingestResult.p99),
        int(
          Object.entries(ingestResult.statuses)
            .filter(([s]) => s !== "200")
            .reduce((n, [, c]) => n + c, 0) + ingestResult.errors,
        ),
      ],
      [
        "raw: node:http HMAC + INSERT → table → processor SQL (pg)",
        int(rawRate),
        int(perSecond(rawPlan.unique, rawMs)),
        (rawMs / 1000).toFixed(1),
        int(rawIngest.rps),
        ms(rawIngest.p50),
        ms(rawIngest.p99),
        int(
          Object.entries(rawIngest.statuses)
            .filter(([s]) => s !== "200")
            .reduce((n, [, c]) => n + c, 0) + rawIngest.errors,
        ),
      ],
      ["product / raw", ratio(productRate / rawRate), "", "", ratio(ingestResult.rps / rawIngest.rps), "", "", ""],
    ],
    notes: webhooksProse.notes({
      ...rawProcessed,
      completed: rawVerdict.completed,
      payments: need.payments,
      doubleApplied: rawVerdict.doubleApplied,
    }),
  });
  ctx.table({
    title: "Exactly-once check against the database (product pipeline)",
    columns: ["fact", "expected", "found"],
    rows: [
      ["unique events in webhook_events, processed", int(uniqueIds.length), int(verdict.inboxProcessed)],
      ["events that needed a retry (attempts > 1)", "–", int(verdict.retried)],
      ["dead letters", "0", int(deadLetters)],
      ["payments completed", int(need.payments), int(verdict.completed)],
      ["payments not completed (a stale failure moved one back, or lost)", "0", int(verdict.notCompleted)],
      ["'payment' transactions", int(need.payments), int(verdict.paymentTxs)],
      ["payments with more than one 'payment' transaction (double-applied)", "0", int(verdict.doubleApplied)],
      ["payments with more than one failure row", "0", int(verdict.failureRowsOver1)],
      ["participations active", int(need.payments), int(verdict.active)],
    ],
  });
  ctx.data.product = {
    deliveries: productPlan.deliveries.length,
    ms: productMs,
    rate: productRate,
    ingest: ingestResult,
    verdict,
    deadLetters,
  };
  ctx.data.raw = { deliveries: rawPlan.deliveries.length, ms: rawMs, rate: rawRate, ingest: rawIngest, verdict: rawVerdict };

  ctx.check({
    name: "webhooks: deliveries/s end to end",
    measured: `${int(productRate)}/s (${ratio(productRate / rawRate)} of raw ${int(rawRate)}/s)`,
    target: "≥ 500/s",
    pass: productRate >= 500,
    ...(productRate < 500 ? { advice: webhooksProse.rateAdvice(rawRate) } : {}),
  });
  ctx.check({
    name: "webhooks: ingest p99",
    measured: `${ms(ingestResult.p99)} ms (raw ${ms(rawIngest.p99)} ms), ${int(ingestResult.rps)} req/s (${ratio(ingestResult.rps / rawIngest.rps)} of raw)`,
    target: "reported (no target)",
    pass: null,
  });
  const exact =
    lost === 0 &&
    notApplied === 0 &&
    verdict.doubleApplied === 0 &&
    deadLetters === 0 &&
    verdict.paymentTxs === need.payments &&
    verdict.failureRowsOver1 === 0;
  ctx.check({
    name: "webhooks: zero lost or double-applied",
    measured: `${lost} lost, ${verdict.doubleApplied} double-applied, ${notApplied} payments not completed, ${deadLetters} dead letters`,
    target: "0 / 0",
    pass: exact,
  });
}
