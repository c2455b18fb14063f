// 1. The five reference read queries at scale, through the product's own read code (core services and
// view builders), next to the reference SQL (written by hand for this schema) run with `pg` as the
// baseline; with EXPLAIN (ANALYZE, BUFFERS) of exactly the statements the product sends.
import pg from "pg";
import type { Actor } from "@evently/core/auth/actor";
import type * as EventsCore from "@evently/core/events";
import type * as PaymentViews from "@evently/core/payments/payment-views";
import type * as Ticketing from "@evently/core/ticketing";
import { createDb, type Db } from "@evently/core/db/client";
import type { StageContext } from "../lib/context";
import { checkIndexes, explainStatement, type PlanSummary } from "../lib/explain";
import { captureQueries, explainable } from "../lib/pg-trace";
import { queriesProse } from "../lib/prose";
import { seed, seedId } from "../lib/seed";
import { int, ms, perSecond, ratio, seededRandom, summarize } from "../lib/stats";

const BIG_TABLES = [
  "participations",
  "payments",
  "orders",
  "payment_transactions",
  "users",
  "check_ins",
  "events",
  "payment_audit_log",
  "refunds",
];

interface QuerySpec {
  key: string;
  title: string;
  targetP99: number;
  via: string;
  /** The product's call for sample i; undefined when the code is not there yet (with the reason). */
  product?: (i: number) => Promise<unknown>;
  missing?: string;
  /** The reference SQL for sample i. */
  raw: (i: number) => Promise<unknown>;
  intended: string[][];
  iterations: number;
}

/** What to change in the product when a query misses its p99, from its plans and statement count. */
const member = (userId: string, n: number): Actor => ({
  sub: `bench-u-${n}`,
  email: `bench-u-${n}@example.test`,
  roles: ["member"],
  userId,
});

async function tryImport<T>(specifier: string): Promise<T | string> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    return `${specifier} cannot be loaded yet (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
  }
}

export async function run(ctx: StageContext): Promise<void> {
  const pgc = await ctx.postgres();
  const url = await pgc.createDatabase("bench_scale");
  const users = ctx.scale(100_000);
  const events = ctx.scale(10_000);

  // -- seed -------------------------------------------------------------------------------------
  const seeder = new pg.Client(url);
  seeder.on("error", () => undefined);
  await seeder.connect();
  ctx.log(
    `seeding ${int(events)} events, ${int(users * 10)} participations (${int(users)} users × 10), ~${int(users * 2)} payments with transactions`,
  );
  const seeded = await seed(seeder, { users, events, perUser: 10, chunk: ctx.quick ? 25_000 : 100_000 }, ctx.progress);
  await seeder.end();
  const seedRows = seeded.timings.filter((t) => t.rows > 0).reduce((s, t) => s + t.rows, 0);
  ctx.table({
    title: queriesProse.seedCaption(seedRows, seeded.totalMs / 1000),
    columns: ["table", "rows inserted/updated", "seconds", "rows/s"],
    rows: seeded.timings.map((t) => [
      t.table,
      t.rows ? int(t.rows) : "–",
      (t.ms / 1000).toFixed(1),
      t.rows ? int(perSecond(t.rows, t.ms)) : "–",
    ]),
    notes: [queriesProse.seedNote(seeded.counts)],
  });
  ctx.data.seed = { ...seeded, rows: seedRows };

  // -- samples ----------------------------------------------------------------------------------
  const raw = new pg.Client(url);
  raw.on("error", () => undefined);
  await raw.connect();
  const db: Db = createDb({ connectionString: url, max: 1 });
  try {
    await measure(ctx, { raw, db, seeded, users, events });
  } finally {
    await db.destroy();
    await raw.end();
  }
}

async function measure(
  ctx: StageContext,
  { raw, db, seeded, users, events }: { raw: pg.Client; db: Db; seeded: Awaited<ReturnType<typeof seed>>; users: number; events: number },
): Promise<void> {
  const iterations = ctx.quick ? 80 : 1_000;
  const random = seededRandom(42);

  const pairs = (
    await raw.query<{ user_id: string; event_id: string }>(
      `SELECT user_id, event_id FROM participations TABLESAMPLE BERNOULLI (2) REPEATABLE (7) WHERE status = 'active' LIMIT $1`,
      [iterations],
    )
  ).rows;
  const userNumbers = Array.from({ length: iterations }, () => Math.floor(random() * users));
  const eventIds = Array.from({ length: iterations }, () => seedId("e", Math.floor(random() * events)));
  const paymentsSample = (
    await raw.query<{ payment_id: string; participation_id: string; user_id: string }>(
      `SELECT pay.id AS payment_id, o.participation_id, pay.user_id FROM payments pay TABLESAMPLE BERNOULLI (10) REPEATABLE (7)
       JOIN orders o ON o.id = pay.order_id WHERE pay.status IN ('completed', 'refunded') LIMIT $1`,
      [iterations],
    )
  ).rows;
  const admin: Actor = { sub: "bench-admin", email: "bench-admin@example.test", roles: ["member", "admin"], userId: seeded.adminId };
  const bigEvents = seeded.bigEvents;

  // -- the product's read code ------------------------------------------------------------------
  const ticketing = await tryImport<typeof Ticketing>("@evently/core/ticketing");
  const eventsCore = await tryImport<typeof EventsCore>("@evently/core/events");
  const paymentViews = await tryImport<typeof PaymentViews>("@evently/core/payments/payment-views");
  const t = typeof ticketing === "string" ? undefined : ticketing;

  const walk = async (eventId: string) => {
    if (!t) return;
    let cursor: string | undefined;
    let rows = 0;
    do {
      const page = await t.eventParticipants(db, admin, { eventId, limit: 100, ...(cursor ? { cursor } : {}) });
      rows += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return rows;
  };

  const specs: QuerySpec[] = [
    {
      key: "status",
      title: "participation status for a user + event",
      targetP99: 1,
      via: "core views: selectParticipations + paymentSummary (ticketing/views.ts)",
      ...(t
        ? {
            product: (i) => {
              const p = pairs[i % pairs.length]!;
              return t
                .selectParticipations(db)
                .leftJoinLateral(t.paymentSummary, (j) => j.onTrue())
                .select(["pm.paymentStatus", "pm.amountPaidMinor", "pm.currency"])
                .where("p.userId", "=", p.user_id)
                .where("p.eventId", "=", p.event_id)
                .executeTakeFirst();
            },
          }
        : { missing: String(ticketing) }),
      raw: (i) => {
        const p = pairs[i % pairs.length]!;
        return raw.query(
          `SELECT ep.id AS participation_id, ep.kind, ep.status, ep.created_at AS participation_date, pay.amount_minor AS paid_amount,
             pay.provider_payment_id_enc, pay.status AS payment_status
           FROM participations ep LEFT JOIN orders o ON o.participation_id = ep.id LEFT JOIN payments pay ON pay.order_id = o.id
           WHERE ep.event_id = $1 AND ep.user_id = $2 AND ep.status = 'active'`,
          [p.event_id, p.user_id],
        );
      },
      intended: [["participations_user_event_key"], ["orders_participation_id_idx"], ["payments_order_id_idx"]],
      iterations,
    },
    {
      key: "capacity",
      title: "capacity check",
      targetP99: 2,
      via: "core getAvailability (events/availability.ts)",
      ...(typeof eventsCore === "string"
        ? { missing: eventsCore }
        : { product: (i) => eventsCore.getAvailability(db, eventIds[i % eventIds.length]!) }),
      raw: (i) =>
        raw.query(
          `SELECT e.id, e.title, e.capacity, c.n AS current_participants, e.capacity - c.n AS available_spots, c.n + 1 <= e.capacity AS has_capacity
           FROM events e, LATERAL (SELECT count(*)::int AS n FROM participations WHERE event_id = e.id AND status = 'active') c WHERE e.id = $1`,
          [eventIds[i % eventIds.length]],
        ),
      intended: [
        ["events_pkey"],
        ["ticket_types_event_id_sort_order_idx"],
        ["participations_waitlist_idx", "participations_event_id_status_count_idx"],
      ],
      iterations,
    },
    {
      key: "dashboard",
      title: "user dashboard (GET /me/participations, first page)",
      targetP99: 4,
      via: "core myParticipations (ticketing/dashboards.ts)",
      ...(t
        ? {
            product: (i) =>
              t.myParticipations(db, member(seedId("u", userNumbers[i % userNumbers.length]!), userNumbers[i % userNumbers.length]!), {
                limit: 20,
              }),
          }
        : { missing: String(ticketing) }),
      raw: (i) =>
        raw.query(
          `SELECT e.title, e.starts_at, e.location, ep.kind, ep.status, pay.amount_minor, pay.status AS payment_status,
             e.starts_at - interval '24 hours' AS cancellation_deadline
           FROM participations ep JOIN events e ON ep.event_id = e.id
             LEFT JOIN orders o ON o.participation_id = ep.id LEFT JOIN payments pay ON pay.order_id = o.id
           WHERE ep.user_id = $1 AND ep.status = 'active' AND e.starts_at > now() ORDER BY e.starts_at`,
          [seedId("u", userNumbers[i % userNumbers.length]!)],
        ),
      intended: [
        ["participations_user_event_key", "participations_user_created_status_idx", "participations_user_id_status_idx"],
        ["events_pkey"],
        ["orders_participation_id_idx"],
      ],
      iterations,
    },
    {
      key: "participants",
      title: "admin participant list of a 500-person event (all 500: 5 pages of 100)",
      targetP99: 10,
      via: "core eventParticipants (ticketing/dashboards.ts), cursor walk",
      ...(t ? { product: (i) => walk(bigEvents[i % bigEvents.length]!) } : { missing: String(ticketing) }),
      raw: (i) =>
        raw.query(
          `SELECT u.email, ep.kind, ep.status, ep.created_at AS registered_at, pay.amount_minor AS amount_paid, pay.status AS payment_status, ci.checked_in_at
           FROM participations ep JOIN users u ON ep.user_id = u.id
             LEFT JOIN orders o ON o.participation_id = ep.id LEFT JOIN payments pay ON pay.order_id = o.id
             LEFT JOIN check_ins ci ON ci.participation_id = ep.id
           WHERE ep.event_id = $1 AND ep.status = 'active' ORDER BY ep.created_at`,
          [bigEvents[i % bigEvents.length]],
        ),
      intended: [
        [
          "participations_event_created_idx",
          "participations_event_kind_status_created_idx",
          "participations_event_id_status_idx",
          "participations_event_id_status_count_idx",
        ],
        ["users_pkey"],
        ["orders_participation_id_idx"],
        ["check_ins_participation_id_key"],
      ],
      iterations: Math.max(50, iterations / 4),
    },
    {
      key: "participants-page",
      title: "admin participant list, one page of 100 (GET /events/{id}/participants?limit=100)",
      targetP99: 10,
      via: "core eventParticipants (ticketing/dashboards.ts), first page",
      ...(t
        ? { product: (i) => t.eventParticipants(db, admin, { eventId: bigEvents[i % bigEvents.length]!, limit: 100 }) }
        : { missing: String(ticketing) }),
      raw: (i) =>
        raw.query(
          `SELECT u.email, ep.kind, ep.status, ep.created_at AS registered_at, pay.amount_minor AS amount_paid, pay.status AS payment_status, ci.checked_in_at
           FROM participations ep JOIN users u ON ep.user_id = u.id
             LEFT JOIN orders o ON o.participation_id = ep.id LEFT JOIN payments pay ON pay.order_id = o.id
             LEFT JOIN check_ins ci ON ci.participation_id = ep.id
           WHERE ep.event_id = $1 AND ep.status = 'active' ORDER BY ep.created_at LIMIT 100`,
          [bigEvents[i % bigEvents.length]],
        ),
      intended: [
        [
          "participations_event_created_idx",
          "participations_event_kind_status_created_idx",
          "participations_event_id_status_idx",
          "participations_event_id_status_count_idx",
        ],
        ["users_pkey"],
        ["orders_participation_id_idx"],
        ["check_ins_participation_id_key"],
      ],
      iterations,
    },
    {
      key: "payment-history",
      title: "payment history of a participation",
      targetP99: 6,
      via: "core getPayment (payments/payment-views.ts), the participation's payment",
      ...(typeof paymentViews === "string" || typeof paymentViews.getPayment !== "function"
        ? { missing: typeof paymentViews === "string" ? paymentViews : "payments/payment-views.ts exports no getPayment" }
        : {
            product: (i) => {
              const s = paymentsSample[i % paymentsSample.length]!;
              return paymentViews.getPayment({ db }, { ...member(s.user_id, 0), sub: `payer-${s.user_id}` }, s.payment_id);
            },
          }),
      raw: (i) =>
        raw.query(
          `SELECT pt.type, pt.amount_minor, pt.status, pt.processed_at, pt.provider_response -> 'status' AS provider_status, pt.provider_response -> 'intent' AS payment_intent
           FROM payment_transactions pt JOIN payments pay ON pt.payment_id = pay.id JOIN orders o ON pay.order_id = o.id
           WHERE o.participation_id = $1 ORDER BY pt.created_at DESC`,
          [paymentsSample[i % paymentsSample.length]!.participation_id],
        ),
      intended: [
        ["payments_pkey"],
        ["payment_transactions_payment_id_created_at_idx"],
        ["refunds_payment_id_idx"],
        ["payment_audit_log_payment_id_created_at_idx"],
      ],
      iterations,
    },
  ];
  if (pairs.length === 0 || paymentsSample.length === 0) throw new Error("sampling found no rows: the seed is empty");

  // -- measure ----------------------------------------------------------------------------------
  const rows: (string | number)[][] = [];
  const plans: Array<{ spec: QuerySpec; plans: PlanSummary[]; check: ReturnType<typeof checkIndexes> }> = [];
  let statementCount = 0;
  for (const spec of specs) {
    if (!spec.product) ctx.skipPart(`${spec.title} through the product`, spec.missing ?? "not available");
    const warm = Math.min(50, spec.iterations);
    for (let i = 0; i < warm; i++) {
      await spec.product?.(i);
      await spec.raw(i);
    }
    const productTimes: number[] = [];
    const rawTimes: number[] = [];
    // A time budget per query keeps a pathological plan from eating the run; at least 20 samples.
    const budgetMs = ctx.quick ? 600 : 6_000;
    const measureStarted = performance.now();
    for (let i = 0; i < spec.iterations; i++) {
      if (i >= 20 && performance.now() - measureStarted > budgetMs) {
        ctx.note(`${spec.title}: stopped after ${i} calls (time budget ${budgetMs / 1000} s)`);
        break;
      }
      // Alternate who goes first, so neither always finds the other's pages in cache.
      const runProduct = async () => {
        if (!spec.product) return;
        const s = performance.now();
        await spec.product(i);
        productTimes.push(performance.now() - s);
      };
      const runRaw = async () => {
        const s = performance.now();
        await spec.raw(i);
        rawTimes.push(performance.now() - s);
      };
      if (i % 2 === 0) {
        await runProduct();
        await runRaw();
      } else {
        await runRaw();
        await runProduct();
      }
    }
    const product = summarize(productTimes);
    const baseline = summarize(rawTimes);

    // The statements the product sends for one call, explained.
    let perCall = NaN;
    let summaries: PlanSummary[] = [];
    if (spec.product) {
      const { queries } = await captureQueries(() => spec.product!(1));
      perCall = queries.length;
      statementCount += queries.length;
      summaries = [];
      for (const q of queries.filter(explainable)) summaries.push(await explainStatement(raw, q));
      const check = checkIndexes(summaries, spec.intended, BIG_TABLES);
      plans.push({ spec, plans: summaries, check });
      const pass = product.p99 <= spec.targetP99;
      ctx.check({
        name: `query p99: ${spec.title}`,
        measured: `${ms(product.p99)} ms (p50 ${ms(product.p50)} ms; reference SQL p99 ${ms(baseline.p99)} ms)`,
        target: `≤ ${spec.targetP99} ms`,
        pass,
        ...(pass ? {} : { advice: queriesProse.advice(spec, summaries, { product, baseline, statements: queries.length }) }),
      });
      ctx.check({
        name: `query plan uses the intended indexes: ${spec.title}`,
        measured: check.ok
          ? `uses ${check.used.join(", ")}`
          : `missing ${check.missing.join("; ") || "–"}${check.seq.length ? `; Seq Scan on ${check.seq.join(", ")}` : ""}`,
        target: spec.intended.map((g) => g.join("|")).join(", "),
        pass: check.ok,
        ...(check.ok
          ? {}
          : {
              advice: spec.key.startsWith("participants")
                ? queriesProse.advice(spec, summaries, { product, baseline, statements: queries.length })
                : queriesProse.indexAdvice(check.missing, check.seq),
            }),
      });
    }
    rows.push([
      spec.title,
      spec.product ? spec.via : `skipped: ${spec.missing}`,
      spec.product ? ms(product.p50) : "–",
      spec.product ? ms(product.p99) : "–",
      `${spec.targetP99}`,
      ms(baseline.p50),
      ms(baseline.p99),
      spec.product ? ratio(product.p50 / baseline.p50) : "–",
      rawTimes.length,
      Number.isFinite(perCall) ? perCall : "–",
      spec.product ? (product.p99 <= spec.targetP99 ? "ok" : "MISS") : "–",
    ]);
    ctx.log(
      `${spec.key}: product p50 ${ms(product.p50)} p99 ${ms(product.p99)} ms; reference SQL p50 ${ms(baseline.p50)} p99 ${ms(baseline.p99)} ms (${rawTimes.length} calls)`,
    );
    ctx.data[spec.key] = { product, baseline, statements: perCall };
  }
  ctx.table({
    title: queriesProse.caption(iterations),
    columns: [
      "query",
      "product code",
      "p50 ms",
      "p99 ms",
      "target p99",
      "reference SQL p50",
      "reference SQL p99",
      "product / reference SQL (p50)",
      "calls",
      "statements per call",
      "target",
    ],
    rows,
    notes: queriesProse.notes,
  });

  for (const { spec, plans: list, check } of plans) {
    const text = list
      .map((p, i) =>
        [`-- statement ${i + 1}: ${p.statement.length > 220 ? `${p.statement.slice(0, 220)}…` : p.statement}`, ...p.lines].join("\n"),
      )
      .join("\n\n");
    ctx.block({
      title: `EXPLAIN (ANALYZE, BUFFERS): ${spec.title} — indexes used: ${check.used.join(", ") || "none"}${check.ok ? "" : ` — MISSING ${[...check.missing, ...check.seq.map((s) => `seq scan ${s}`)].join(", ")}`}`,
      text,
    });
  }
  ctx.data.statements = statementCount;
}
