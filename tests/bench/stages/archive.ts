// 5. Archival: the product's archive job (schedules.ts "archive" → its handler, as the scheduler
// invokes it) over aged participation history and payment transactions; rows/s moved and the
// longest single batch transaction, timed from the statements it sent (BEGIN…COMMIT per
// connection). Baseline: the job's batch statement sent with `pg` on an identical copy of the data.
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createDb, type Db } from "@evently/core/db/client";
import type { StageContext } from "../lib/context";
import { tracePg, transactionSpans, type TracedQuery } from "../lib/pg-trace";
import { archiveProse } from "../lib/prose";
import { ROOT } from "../lib/report";
import { dropSecondaryIndexes } from "../lib/seed";
import { int, ms, perSecond, ratio } from "../lib/stats";

interface Amounts {
  historyOld: number;
  historyRecent: number;
  txOld: number;
  txOldPending: number;
  txRecent: number;
}

async function seedArchivable(
  client: pg.Client,
  a: Amounts,
  progress: (what: string, done: number, total: number) => void,
): Promise<number> {
  const started = performance.now();
  await client.query("SET session_replication_role = replica");
  await client.query("SET maintenance_work_mem = '512MB'");
  const indexes = await dropSecondaryIndexes(client, ["participation_history", "payment_transactions"]);
  const org = await client.query<{ id: string }>(
    `INSERT INTO users (external_id, email, roles) VALUES ('arch-org', 'arch-org@example.test', '{organizer}') RETURNING id`,
  );
  await client.query(
    `INSERT INTO users (external_id, email) SELECT 'arch-u-' || g, 'arch-u-' || g || '@example.test' FROM generate_series(0, 1999) g`,
  );
  await client.query(
    `INSERT INTO events (organizer_id, title, kind, status, starts_at, ends_at, capacity, seats_taken, published_at)
     SELECT $1, 'Archive event ' || g, 'ticketed', 'completed', now() - interval '8 years' + g * interval '1 day', now() - interval '8 years' + g * interval '1 day' + interval '2 hours', 1000, 100, now() - interval '9 years'
     FROM generate_series(0, 19) g`,
    [org.rows[0]!.id],
  );
  await client.query(`INSERT INTO ticket_types (event_id, name, price_minor, currency) SELECT id, 'General', 2500, 'USD' FROM events`);
  // 2,000 participations (100 per event), each with an order and a completed payment.
  await client.query(
    `INSERT INTO participations (event_id, user_id, kind, status, ticket_type_id, created_at)
     SELECT e.id, u.id, 'ticket', 'active', t.id, now() - interval '8 years'
     FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM events) e
     JOIN ticket_types t ON t.event_id = e.id
     JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE external_id LIKE 'arch-u-%') u ON u.n / 100 = e.n`,
  );
  await client.query(
    `INSERT INTO orders (participation_id, event_id, user_id, ticket_type_id, quantity, unit_price_minor, subtotal_minor, amount_minor, currency, status)
     SELECT id, event_id, user_id, ticket_type_id, 1, 2500, 2500, 2500, 'USD', 'confirmed' FROM participations`,
  );
  await client.query(
    `INSERT INTO payments (order_id, user_id, status, amount_minor, currency, processed_at) SELECT id, user_id, 'completed', 2500, 'USD', now() - interval '8 years' FROM orders`,
  );

  // History: what the trigger writes (to_jsonb of the row, before and after), aged and recent.
  const history = async (count: number, ageSql: string, label: string) => {
    for (let lo = 0; lo < count; lo += 100_000) {
      const n = Math.min(100_000, count - lo);
      await client.query(
        `INSERT INTO participation_history (participation_id, action_type, old_values, new_values, change_reason, created_at)
         SELECT p.id, CASE WHEN g % 3 = 0 THEN 'Created' ELSE 'StatusChanged' END,
           CASE WHEN g % 3 = 0 THEN NULL ELSE to_jsonb(p) || jsonb_build_object('status', 'pending') END, to_jsonb(p), 'seeded',
           ${ageSql}
         FROM generate_series(1, $1::int) g JOIN (SELECT *, row_number() OVER (ORDER BY id) - 1 AS n FROM participations) p ON p.n = g % 2000`,
        [n],
      );
      progress(`seeding participation_history (${label})`, lo + n, count);
    }
  };
  await history(a.historyOld, "now() - interval '2 years 1 day' - (g % 700) * interval '1 day'", "older than 2 years");
  await history(a.historyRecent, "now() - (g % 700) * interval '1 day'", "recent");
  const tx = async (count: number, status: string, ageSql: string, label: string) => {
    await client.query(
      `INSERT INTO payment_transactions (payment_id, type, amount_minor, currency, status, provider_reference, provider_response, processed_at, created_at)
       SELECT p.id, 'payment', 2500, 'USD', $2, 'evt_arch_' || g, '{"status": "succeeded"}', ${ageSql}, ${ageSql}
       FROM generate_series(1, $1::int) g JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM payments) p ON p.n = g % 2000`,
      [count, status],
    );
    progress(`seeding payment_transactions (${label})`, count, count);
  };
  await tx(a.txOld, "completed", "now() - interval '7 years 1 day' - (g % 700) * interval '1 day'", "completed, older than 7 years");
  await tx(
    a.txOldPending,
    "pending",
    "now() - interval '7 years 1 day' - (g % 700) * interval '1 day'",
    "pending, older than 7 years: stays",
  );
  await tx(a.txRecent, "completed", "now() - (g % 2000) * interval '1 day'", "completed, recent");
  for (const index of indexes) await client.query(index.def);
  await client.query("RESET session_replication_role");
  await client.query("VACUUM ANALYZE");
  return performance.now() - started;
}

const counts = async (client: pg.Client) =>
  (
    await client.query<{ ph: number; pha: number; pt: number; pta: number }>(
      `SELECT (SELECT count(*)::int FROM participation_history) AS ph, (SELECT count(*)::int FROM participation_history_archive) AS pha,
              (SELECT count(*)::int FROM payment_transactions) AS pt, (SELECT count(*)::int FROM payment_transactions_archive) AS pta`,
    )
  ).rows[0]!;

/** The job's batch (archival/index.ts moveBatch) sent with pg: same statements, same batch size. */
async function rawArchive(client: pg.Client, batchSize: number): Promise<{ moved: number; spans: number[] }> {
  const spans: number[] = [];
  let moved = 0;
  const targets = [
    { table: "participation_history", due: "created_at < now() - interval '2 years'", order: "created_at" },
    { table: "payment_transactions", due: "status = 'completed' AND processed_at < now() - interval '7 years'", order: "processed_at" },
  ];
  for (const t of targets) {
    for (;;) {
      const s = performance.now();
      await client.query("begin");
      await client.query("SELECT set_config('statement_timeout', '60s', true)");
      const { rows } = await client.query<{ moved: number }>(
        `WITH moved AS (
           DELETE FROM ${t.table} WHERE id IN (SELECT id FROM ${t.table} WHERE ${t.due} ORDER BY ${t.order} LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING *
         ), archived AS (INSERT INTO ${t.table}_archive SELECT * FROM moved ON CONFLICT (id) DO NOTHING RETURNING 1)
         SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM archived)::int AS archived`,
        [batchSize],
      );
      await client.query("commit");
      spans.push(performance.now() - s);
      moved += rows[0]!.moved;
      if (rows[0]!.moved < batchSize) break;
    }
  }
  return { moved, spans };
}

export async function run(ctx: StageContext): Promise<void> {
  const jobFile = path.join(ROOT, "packages/functions/src/jobs/archive.ts");
  const { schedules } = await import("@evently/functions/schedules");
  const def = schedules.find((s) => s.name === "archive");
  if (!def) ctx.skip('schedules.ts has no "archive" job yet');
  if (!existsSync(jobFile) && !existsSync(path.join(ROOT, `packages/functions/src/${def.handler}.ts`)))
    ctx.skip(`packages/functions/src/${def.handler}.ts does not exist yet`);
  const scheduler = await import("@evently/local/scheduler").catch(() => undefined);
  if (!scheduler) ctx.skip("packages/local/src/scheduler.ts (loadJobHandler, scheduledEvent) is not there yet");

  const pgc = await ctx.postgres();
  const url = await pgc.createDatabase("bench_archive");
  const amounts: Amounts = {
    historyOld: ctx.scale(400_000),
    historyRecent: ctx.scale(100_000),
    txOld: ctx.scale(100_000),
    txOldPending: ctx.scale(5_000),
    txRecent: ctx.scale(20_000),
  };
  const client = new pg.Client(url);
  client.on("error", () => undefined);
  await client.connect();
  const seedMs = await seedArchivable(client, amounts, ctx.progress);
  await client.end();
  ctx.log(`seeded in ${(seedMs / 1000).toFixed(1)} s; copying the database for the raw baseline`);
  const admin = new pg.Client(pgc.adminUrl);
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS bench_archive_raw WITH (FORCE)");
  await admin.query("CREATE DATABASE bench_archive_raw TEMPLATE bench_archive");
  await admin.end();

  // -- the product's job, as the scheduler runs it -----------------------------------------------------
  const db: Db = createDb({ connectionString: url, max: 2 });
  const { setDb } = await import("@evently/functions/lib/db");
  setDb(db);
  const { lambdaContext } = await import("@evently/local/server/apigw-event");
  const handler = await scheduler.loadJobHandler(def);
  const c = new pg.Client(url);
  c.on("error", () => undefined);
  await c.connect();
  const before = await counts(c);
  const traced: TracedQuery[] = [];
  const stop = tracePg((q) => traced.push(q));
  const started = performance.now();
  let result: Awaited<ReturnType<typeof handler>>;
  try {
    result = await handler(scheduler.scheduledEvent(def), lambdaContext(`job-${def.name}`, def.timeoutSeconds));
  } finally {
    stop();
  }
  const jobMs = performance.now() - started;
  const after = await counts(c);
  // Idempotent: a second run finds nothing to move.
  const again = await handler(scheduler.scheduledEvent(def), lambdaContext(`job-${def.name}`, def.timeoutSeconds));
  const afterAgain = await counts(c);
  await c.end();
  await db.destroy();

  const moved = before.ph - after.ph + (before.pt - after.pt);
  // The batches: transactions whose statements move rows (DELETE from a live table).
  const batchSpans = transactionSpans(traced)
    .filter((s) => s.statements.some((t) => /delete\s+from/i.test(t)))
    .map((s) => s.ms);
  const longest = Math.max(...batchSpans);
  const rate = perSecond(moved, jobMs);

  // -- raw baseline on the copy ----------------------------------------------------------------------
  const rawClient = new pg.Client(pgc.urlFor("bench_archive_raw"));
  rawClient.on("error", () => undefined);
  await rawClient.connect();
  const batchSize = batchSpans.length > 0 ? Math.round(moved / batchSpans.length) : 0;
  const rawStarted = performance.now();
  const raw = await rawArchive(rawClient, 5_000);
  const rawMs = performance.now() - rawStarted;
  await rawClient.end();
  const rawRate = perSecond(raw.moved, rawMs);

  const expectedMoved = amounts.historyOld + amounts.txOld;
  ctx.table({
    title: archiveProse.caption(amounts.historyOld + amounts.historyRecent, amounts.txOld + amounts.txOldPending + amounts.txRecent),
    columns: ["run", "rows moved", "seconds", "rows/s", "vs raw", "batches", "longest batch ms", "job's own longestBatchMs"],
    rows: [
      [
        "product: jobs/archive handler (scheduled event, job_runs row)",
        int(moved),
        (jobMs / 1000).toFixed(1),
        int(rate),
        ratio(rate / rawRate),
        int(batchSpans.length),
        ms(longest),
        String(result.counts.longestBatchMs ?? "–"),
      ],
      [
        "raw pg: the job's batch statement, batches of 5,000",
        int(raw.moved),
        (rawMs / 1000).toFixed(1),
        int(rawRate),
        "1.00×",
        int(raw.spans.length),
        ms(Math.max(...raw.spans)),
        "–",
      ],
    ],
    notes: archiveProse.notes({ counts: result.counts, again: again.counts, before, after, expected: expectedMoved, batchSize }),
  });
  if (batchSpans.length === 0) ctx.note(archiveProse.noBatches);
  ctx.data.job = { moved, jobMs, rate, longest, batches: batchSpans.length, counts: result.counts, again: again.counts };
  ctx.data.raw = { moved: raw.moved, ms: rawMs, rate: rawRate };

  ctx.check({
    name: "archive: rows/s moved",
    measured: `${int(rate)} rows/s (${ratio(rate / rawRate)} of raw ${int(rawRate)})`,
    target: "≥ 20,000 rows/s",
    pass: rate >= 20_000,
    ...(rate < 20_000 ? { advice: archiveProse.rateAdvice } : {}),
  });
  ctx.check({
    name: "archive: longest batch transaction",
    measured: `${ms(longest)} ms over ${batchSpans.length} batches`,
    target: "≤ 1,000 ms",
    pass: longest <= 1000,
    ...(longest > 1000 ? { advice: archiveProse.batchAdvice } : {}),
  });
  const correct =
    moved === expectedMoved &&
    afterAgain.ph === after.ph &&
    afterAgain.pt === after.pt &&
    after.pha === amounts.historyOld &&
    after.pta === amounts.txOld;
  ctx.check({
    name: "archive: moved exactly the aged rows, and a second run moves none",
    measured: `moved ${int(moved)} of ${int(expectedMoved)}; archive tables ${int(after.pha)} + ${int(after.pta)}; second run moved ${int(after.ph - afterAgain.ph + (after.pt - afterAgain.pt))}`,
    target: "exact",
    pass: correct,
  });
}
