// 8. The physical limit: every row a hold writes, as one statement with `pg`, on one event and over
// 64 events, at concurrency 16 and 64 — and, in the same run, the product's own placeOrder (core,
// in process), the whole order over HTTP and RSVP over HTTP, each as a ratio of that limit.
import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import type { Actor } from "@evently/core/auth/actor";
import { createDb } from "@evently/core/db/client";
import { placeOrder } from "@evently/core/payments/orders";
import type { StageContext } from "../lib/context";
import { createEvent, createMembers, createOrganizer, type BenchEvent } from "../lib/fixtures";
import { benchPaymentsDeps } from "../lib/instant-gateway";
import { installRefuse, oneStatementHold, oneStatementRsvp } from "../lib/limit-sql";
import { loadTest, runConcurrent, signTokens, smoke } from "../lib/load";
import { limitAdvice } from "../lib/prose";
import { int, ms, percentile, perSecond, ratio } from "../lib/stats";

const CONCURRENCIES = [16, 64] as const;
const SPREAD = 64;

export interface LimitRun {
  path: "one statement" | "core placeOrder" | "HTTP order" | "one-statement RSVP" | "HTTP RSVP";
  events: number;
  concurrency: number;
  done: number;
  attempts: number;
  perSecond: number;
  p50: number;
  p99: number;
  failures: number;
}

const requestHash = (eventId: string, body: unknown) =>
  createHash("sha256")
    .update(JSON.stringify({ params: { eventId }, body }))
    .digest("base64url");

export async function run(ctx: StageContext): Promise<void> {
  const live = await ctx.live();
  // Every in-process side gets as many connections as it has callers: the code is what differs.
  const pool = new pg.Pool({ connectionString: live.url, max: Math.max(...CONCURRENCIES) });
  pool.on("error", () => undefined);
  const db = createDb({ connectionString: live.url, max: Math.max(...CONCURRENCIES) });
  try {
    await installRefuse(pool);
    await measure(ctx, live.pool, pool, db, live.apiUrl, live.runtime.recentErrors);
  } finally {
    await db.destroy();
    await pool.end();
  }
}

async function measure(
  ctx: StageContext,
  setup: pg.Pool,
  pool: pg.Pool,
  db: ReturnType<typeof createDb>,
  apiUrl: string,
  runtimeErrors: () => string[],
): Promise<void> {
  const inProcess = ctx.quick ? 150 : 5_000;
  const overHttp = ctx.quick ? 80 : 2_000;
  const organizer = await createOrganizer(setup);
  const deps = benchPaymentsDeps(db);
  const runs: LimitRun[] = [];
  let batch = 0;

  const ticketed = (n: number) =>
    Promise.all(Array.from({ length: n }, () => createEvent(setup, organizer.id, { kind: "ticketed", capacity: 1_000_000 })));
  /** Holds (pending participations) and seats taken over these events: they must agree. */
  const heldOn = async (events: BenchEvent[]) => {
    const { rows } = await setup.query<{ held: number; seats: number }>(
      `SELECT (SELECT count(*)::int FROM participations WHERE event_id = ANY($1) AND status = 'pending') AS held,
              (SELECT coalesce(sum(seats_taken), 0)::int FROM events WHERE id = ANY($1)) AS seats`,
      [events.map((e) => e.eventId)],
    );
    const r = rows[0]!;
    if (r.held !== r.seats) ctx.note(`counters disagree: ${r.held} holds, ${r.seats} seats taken`);
    return r.held;
  };
  const inProcessRun = async (
    path: LimitRun["path"],
    events: number,
    concurrency: number,
    hold: (e: BenchEvent, actor: Actor, i: number) => Promise<unknown>,
  ) => {
    const evs = await ticketed(events);
    const members = await createMembers(setup, `limit-${batch++}`, inProcess);
    ctx.log(`${path}: ${int(inProcess)} holds on ${events} event(s) at concurrency ${concurrency}`);
    const r = await runConcurrent(inProcess, concurrency, (i) => hold(evs[i % events]!, members[i]!, i));
    const done = await heldOn(evs);
    const failed = r.results.find((x) => x instanceof Error);
    if (failed)
      ctx.note(`${path} (${events} event(s), concurrency ${concurrency}): ${r.failures} failed, e.g. ${failed.message.slice(0, 200)}`);
    runs.push({ path, events, concurrency, done, attempts: inProcess, ...rates(done, r.durationMs, r.latencies), failures: r.failures });
  };

  const hold = (e: BenchEvent, actor: Actor) =>
    oneStatementHold(pool, {
      eventId: e.eventId,
      ticketTypeId: e.ticketTypeId!,
      userId: actor.userId,
      quantity: 1,
      holdTtlSeconds: deps.holdTtlSeconds,
      key: randomUUID(),
      requestHash: requestHash(e.eventId, { ticketTypeId: e.ticketTypeId, quantity: 1 }),
      leaseSeconds: 30,
    });
  const product = (e: BenchEvent, actor: Actor) => {
    const body = { ticketTypeId: e.ticketTypeId!, quantity: 1 };
    return placeOrder(
      deps,
      actor,
      e.eventId,
      body,
      {},
      {
        userId: actor.userId,
        scope: "orders:create",
        key: randomUUID(),
        requestHash: requestHash(e.eventId, body),
        leaseSeconds: 30,
      },
    );
  };
  // The baseline before and after the product, so drift in machine load shows instead of biasing one side.
  for (const concurrency of CONCURRENCIES) {
    for (const events of [1, SPREAD]) await inProcessRun("one statement", events, concurrency, hold);
    for (const events of [1, SPREAD]) await inProcessRun("core placeOrder", events, concurrency, product);
  }
  for (const concurrency of CONCURRENCIES) {
    const members = await createMembers(setup, `limit-rsvp-${batch++}`, inProcess);
    const rsvp = await createEvent(setup, organizer.id, { kind: "rsvp", capacity: 1_000_000 });
    ctx.log(`one-statement RSVP: ${int(inProcess)} at concurrency ${concurrency}`);
    const r = await runConcurrent(inProcess, concurrency, (i) =>
      oneStatementRsvp(pool, { eventId: rsvp.eventId, userId: members[i]!.userId }),
    );
    const done = await seatsTaken(setup, rsvp.eventId);
    runs.push({
      path: "one-statement RSVP",
      events: 1,
      concurrency,
      done,
      attempts: inProcess,
      ...rates(done, r.durationMs, r.latencies),
      failures: r.failures,
    });
  }
  await overHttpRuns(ctx, setup, organizer.id, apiUrl, overHttp, runs, runtimeErrors);
  ctx.data.runs = runs;
  report(ctx, runs);
}

const rates = (done: number, durationMs: number, sortedLatencies: number[]) => ({
  perSecond: perSecond(done, durationMs),
  p50: percentile(sortedLatencies, 50),
  p99: percentile(sortedLatencies, 99),
});

async function seatsTaken(db: pg.Pool, eventId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT seats_taken AS n FROM events WHERE id = $1`, [eventId]);
  return rows[0]!.n;
}

async function overHttpRuns(
  ctx: StageContext,
  setup: pg.Pool,
  organizerId: string,
  apiUrl: string,
  amount: number,
  runs: LimitRun[],
  runtimeErrors: () => string[],
): Promise<void> {
  const order = (e: BenchEvent, token: string) => ({
    method: "POST" as const,
    path: `/events/${e.eventId}/orders`,
    headers: { authorization: `Bearer ${token}`, "idempotency-key": randomUUID() },
    body: JSON.stringify({ ticketTypeId: e.ticketTypeId, quantity: 1 }),
  });
  const rsvp = (e: BenchEvent, token: string) => ({
    method: "POST" as const,
    path: `/events/${e.eventId}/rsvp`,
    headers: { authorization: `Bearer ${token}` },
  });
  const kinds = [
    { path: "HTTP order" as const, kind: "ticketed" as const, make: order },
    { path: "HTTP RSVP" as const, kind: "rsvp" as const, make: rsvp },
  ];
  let batch = 0;
  for (const k of kinds) {
    // Warm-up on its own event: the handler module loads on its first request, like a cold start.
    const warm = await createEvent(setup, organizerId, { kind: k.kind, capacity: 1_000_000 });
    const warmTokens = await signTokens(`limit-warm-${k.kind}`, 64);
    const broken = await smoke(apiUrl, k.make(warm, warmTokens[0]!), runtimeErrors);
    if (broken) {
      ctx.skipPart(k.path, broken);
      continue;
    }
    await loadTest({ url: apiUrl, connections: 16, amount: warmTokens.length - 1, make: (i) => k.make(warm, warmTokens[i + 1]!) });
    for (const concurrency of CONCURRENCIES) {
      const ev = await createEvent(setup, organizerId, { kind: k.kind, capacity: 1_000_000 });
      const tokens = await signTokens(`limit-http-${k.kind}-${batch++}`, amount);
      ctx.log(`${k.path}: ${int(amount)} requests on one event at concurrency ${concurrency}`);
      const r = await loadTest({ url: apiUrl, connections: concurrency, amount, make: (i) => k.make(ev, tokens[i]!) });
      const done = await seatsTaken(setup, ev.eventId);
      const failures = Object.entries(r.statuses).reduce((n, [s, c]) => (s === "201" ? n : n + c), r.errors);
      runs.push({
        path: k.path,
        events: 1,
        concurrency,
        done,
        attempts: amount,
        perSecond: perSecond(done, r.durationMs),
        p50: r.p50,
        p99: r.p99,
        failures,
      });
    }
  }
}

/** The baseline a run is a ratio of: the one-statement hold (or RSVP) on as many events, at the same concurrency. */
export function baselineOf(runs: readonly LimitRun[], r: Pick<LimitRun, "path" | "events" | "concurrency">): LimitRun | undefined {
  const path = r.path.includes("RSVP") ? "one-statement RSVP" : "one statement";
  return runs.find((b) => b.path === path && b.events === r.events && b.concurrency === r.concurrency);
}

function report(ctx: StageContext, runs: LimitRun[]): void {
  ctx.table({
    title: "Holds (or RSVPs) per second against the one-statement physical limit in the same run",
    columns: ["path", "events", "concurrency", "done", "of", "per s", "vs one statement", "p50 ms", "p99 ms", "failures"],
    rows: runs.map((r) => {
      const base = baselineOf(runs, r);
      return [
        r.path,
        r.events,
        r.concurrency,
        int(r.done),
        int(r.attempts),
        int(r.perSecond),
        ratio(base ? r.perSecond / base.perSecond : NaN),
        ms(r.p50),
        ms(r.p99),
        int(r.failures),
      ];
    }),
  });
  const find = (path: LimitRun["path"], concurrency: number) =>
    runs.find((r) => r.path === path && r.events === 1 && r.concurrency === concurrency);
  const targets = [
    { path: "core placeOrder" as const, need: 0.9 },
    { path: "HTTP order" as const, need: 0.5 },
    { path: "HTTP RSVP" as const, need: 0.6 },
  ];
  for (const t of targets) {
    for (const concurrency of CONCURRENCIES) {
      const r = find(t.path, concurrency);
      const base = r && baselineOf(runs, r);
      const share = r && base ? r.perSecond / base.perSecond : NaN;
      ctx.check({
        name: `limit: ${t.path} on one event at ${concurrency} vs one statement`,
        measured:
          r && base ? `${ratio(share)} (${int(r.perSecond)} vs ${int(base.perSecond)}/s), ${int(r.failures)} failed` : "not measured",
        target: `≥ ${t.need}×`,
        pass: r && base ? share >= t.need && r.failures === 0 : null,
        ...(share < t.need ? { advice: limitAdvice(t.path, runs) } : {}),
      });
    }
  }
  for (const path of ["one statement", "core placeOrder", "HTTP order", "HTTP RSVP"] as const) {
    const [low, high] = CONCURRENCIES.map((c) => find(path, c));
    const kept = low && high ? high.perSecond / low.perSecond : NaN;
    ctx.check({
      name: `limit: no collapse from 16 to 64 (${path}, one event)`,
      measured: low && high ? `${ratio(kept)} (${int(high.perSecond)} at 64 vs ${int(low.perSecond)} at 16)` : "not measured",
      target: "≥ 0.8×",
      pass: low && high ? kept >= 0.8 : null,
      ...(kept < 0.8 ? { advice: limitAdvice("collapse", runs) } : {}),
    });
  }
}
