// 3. The rush on ONE event. (a) 2,000 buyers at once for 100 seats through HTTP: exactly 100 held,
// no 5xx, time to sell out. (b) sustained orders at concurrency 64 through HTTP (the whole order:
// idempotency, seat hold, Stripe sandbox PaymentIntent, response), as a ratio of the one-statement
// physical limit the limit stage measured in the same run (the core path is measured there too).
import { randomUUID } from "node:crypto";
import type { StageContext } from "../lib/context";
import { createEvent, createOrganizer, seatFacts } from "../lib/fixtures";
import { burst, loadTest, signTokens, smoke, type LoadResult } from "../lib/load";
import type { Live } from "../lib/live";
import { rushProse } from "../lib/prose";
import { int, ms, percentile, perSecond, ratio } from "../lib/stats";
import { baselineOf, type LimitRun } from "./limit";

const CONCURRENCY = 64;

interface Variant {
  label: string;
  holds: number;
  attempts: number;
  durationMs: number;
  holdsPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
}

const orderRequest = (eventId: string, ticketTypeId: string, token: string) => ({
  method: "POST" as const,
  path: `/events/${eventId}/orders`,
  headers: { authorization: `Bearer ${token}`, "idempotency-key": randomUUID() },
  body: JSON.stringify({ ticketTypeId, quantity: 1 }),
});

const fromLoad = (label: string, r: LoadResult, holds: number): Variant => ({
  label,
  holds,
  attempts: r.requests,
  durationMs: r.durationMs,
  holdsPerSecond: perSecond(holds, r.durationMs),
  p50: r.p50,
  p99: r.p99,
  failures:
    Object.entries(r.statuses)
      .filter(([s]) => s !== "201")
      .reduce((n, [, c]) => n + c, 0) + r.errors,
});

export async function run(ctx: StageContext): Promise<void> {
  await measure(ctx, await ctx.live());
}

async function measure(ctx: StageContext, live: Live): Promise<void> {
  const pool = live.pool;
  // The 20,000 orders against 50,000 seats; quick mode about a thirtieth (a tenth would not
  // fit its time).
  const orders = ctx.quick ? 300 : 20_000;
  const seats = ctx.quick ? 1_500 : 50_000;
  const organizer = await createOrganizer(pool);
  const variants: Variant[] = [];

  const heldOn = async (eventId: string) => (await seatFacts(pool, eventId)).pending;
  const limitRuns = ctx.earlier("limit")?.data.runs as LimitRun[] | undefined;
  const limit = limitRuns && baselineOf(limitRuns, { path: "one statement", events: 1, concurrency: CONCURRENCY });

  // -- through HTTP, the runtime in its own process ---------------------------------------------------
  const child = live.runtime;
  const apiUrl = live.apiUrl;
  let httpSkipped: string | undefined;
  {
    const probe = await createEvent(pool, organizer.id, { kind: "ticketed", capacity: 10, title: "smoke" });
    const broken = await smoke(
      apiUrl,
      orderRequest(probe.eventId, probe.ticketTypeId!, (await signTokens("rush-smoke", 1))[0]!),
      child.recentErrors,
    );
    if (broken) {
      ctx.skipPart("(a) burst and (b) through HTTP", broken);
      httpSkipped = broken;
    } else await httpPart();
  }

  async function httpPart() {
    const order = orderRequest;
    // Warm up: the order handler module loads on its first request, like a Lambda cold start.
    const warmEvent = await createEvent(pool, organizer.id, { kind: "ticketed", capacity: 1_000_000, title: "warm-up" });
    const warmTokens = await signTokens("rush-warm", ctx.quick ? 100 : 300);
    await loadTest({
      url: apiUrl,
      connections: 16,
      amount: warmTokens.length,
      make: (i) => order(warmEvent.eventId, warmEvent.ticketTypeId!, warmTokens[i]!),
    });

    // (a) the burst.
    const buyers = ctx.quick ? 500 : 2_000;
    const seatCount = ctx.quick ? 25 : 100;
    const burstEvent = await createEvent(pool, organizer.id, { kind: "ticketed", capacity: seatCount, title: "sell-out" });
    const burstTokens = await signTokens("rush-burst", buyers);
    ctx.log(`burst: ${int(buyers)} buyers at once for ${seatCount} seats (sockets opened first)`);
    const b = await burst(
      apiUrl,
      burstTokens.map((t) => order(burstEvent.eventId, burstEvent.ticketTypeId!, t)),
    );
    const byStatus: Record<string, number> = {};
    for (const r of b.responses) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const created = b.responses
      .filter((r) => r.status === 201)
      .map((r) => r.doneMs)
      .sort((x, y) => x - y);
    // Sold out = the last seat's 201; if some holds answered an error instead, the last 201 there was.
    const soldOutMs = created.length ? created[Math.min(seatCount, created.length) - 1]! : NaN;
    const fivexx = b.responses.filter((r) => r.status >= 500).length;
    const facts = await seatFacts(pool, burstEvent.eventId);
    const latencies = b.responses.map((r) => r.doneMs).sort((x, y) => x - y);
    // The runtime logs JSON lines; the error's own message follows the log line's "Unhandled error".
    const runtimeError = child
      .recentErrors()
      .flatMap((line) => [...line.matchAll(/"message":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? ""))
      .find((m) => m && m !== "Unhandled error" && m !== "local gateway error");
    ctx.table({
      title: rushProse.burstCaption(buyers, seatCount),
      columns: ["measure", "value"],
      rows: [
        [
          "responses by status",
          Object.entries(byStatus)
            .map(([s, n]) => `${s}: ${int(n)}`)
            .join(", "),
        ],
        ["seats held (201)", int(created.length)],
        [
          "database: seats_taken / pending participations / PaymentIntents (distinct)",
          `${facts.seats_taken} / ${facts.pending} / ${facts.intents} (${facts.distinct_intents})`,
        ],
        [
          created.length >= seatCount
            ? "time to sell out (the last seat's 201 received)"
            : `time of the last 201 (only ${created.length} of ${seatCount} holds answered 201)`,
          `${ms(soldOutMs)} ms`,
        ],
        ["time until every buyer had an answer", `${ms(b.totalMs)} ms`],
        ["answer latency p50 / p99", `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))} ms`],
        ...(fivexx && runtimeError ? [["the runtime's error for the 5xx", runtimeError.slice(0, 160)]] : []),
      ],
      notes: [rushProse.burstNote(ctx.quick ? 100 : 300)],
    });
    const poolTimeout = /timeout exceeded when trying to connect/.test(runtimeError ?? "");
    const burstAdvice = rushProse.burstAdvice({
      poolTimeout,
      fivexx,
      buyers,
      created: created.length,
      seatsTaken: facts.seats_taken,
      runtimeError,
    });
    ctx.check({
      name: `rush (a): exactly ${seatCount} held of ${int(buyers)} at once`,
      measured: `${created.length} × 201, seats_taken ${facts.seats_taken}, ${facts.pending} pending, ${facts.distinct_intents} intents`,
      target: `${seatCount}`,
      pass:
        created.length === seatCount &&
        facts.seats_taken === seatCount &&
        facts.pending === seatCount &&
        facts.distinct_intents === seatCount,
      ...(created.length !== seatCount || facts.distinct_intents !== seatCount
        ? {
            advice: facts.seats_taken > seatCount ? rushProse.oversold : burstAdvice,
          }
        : {}),
    });
    ctx.check({
      name: "rush (a): no 5xx",
      measured: `${fivexx} 5xx`,
      target: "0",
      pass: fivexx === 0,
      ...(fivexx ? { advice: burstAdvice } : {}),
    });
    ctx.data.burst = { buyers, seats: seatCount, byStatus, soldOutMs, totalMs: b.totalMs, facts };

    // (b) sustained, through HTTP.
    const ev = await createEvent(pool, organizer.id, { kind: "ticketed", capacity: seats, title: "sustained http" });
    const tokens = await signTokens("rush-http", orders);
    ctx.log(`sustained HTTP: ${int(orders)} orders against ${int(seats)} seats at concurrency ${CONCURRENCY}`);
    const before = await child.request<{ count: number }>("statements");
    const r = await loadTest({
      url: apiUrl,
      connections: CONCURRENCY,
      amount: orders,
      make: (i) => order(ev.eventId, ev.ticketTypeId!, tokens[i]!),
    });
    const after = await child.request<{ count: number }>("statements");
    const held = await heldOn(ev.eventId);
    const httpVariant = fromLoad(
      "HTTP: POST /events/{id}/orders, whole order (idempotency, hold, Stripe sandbox PaymentIntent, response)",
      r,
      held,
    );
    variants.push(httpVariant);
    ctx.data.httpStatementsPerOrder = (after.count - before.count) / r.requests;
    const httpFacts = await seatFacts(pool, ev.eventId);
    if (httpFacts.seats_taken !== held || httpFacts.intents !== held)
      ctx.note(`HTTP sustained: seats_taken ${httpFacts.seats_taken}, holds ${held}, intents ${httpFacts.intents} — counters disagree`);
  }

  const baseline = limit?.perSecond ?? NaN;
  const http = variants[0];
  ctx.data.variants = variants;
  ctx.data.baseline = baseline;
  if (http) {
    ctx.table({
      title: rushProse.sustainedCaption(CONCURRENCY, seats, orders),
      columns: ["path", "holds", "of", "seconds", "holds/s", "vs one statement", "p50 ms", "p99 ms", "non-201 / failures"],
      rows: variants.map((v) => [
        v.label,
        int(v.holds),
        int(v.attempts),
        (v.durationMs / 1000).toFixed(1),
        int(v.holdsPerSecond),
        ratio(v.holdsPerSecond / baseline),
        ms(v.p50),
        ms(v.p99),
        int(v.failures),
      ]),
      notes: rushProse.sustainedNotes(CONCURRENCY, baseline, ctx.data.httpStatementsPerOrder as number),
    });
  }
  const target = "≥ 1,000 holds/s";
  const name = "rush (b): whole order through HTTP ≥ 1,000 holds/s on one event";
  if (!http) {
    ctx.check({ name, measured: `skipped: ${httpSkipped ?? "not measured"}`, target, pass: null });
    return;
  }
  ctx.check({
    name,
    measured: `${int(http.holdsPerSecond)} holds/s (${ratio(http.holdsPerSecond / baseline)} of one statement), p99 ${ms(http.p99)} ms`,
    target,
    pass: http.holdsPerSecond >= 1000,
    ...(http.holdsPerSecond < 1000 ? { advice: rushProse.advice(baseline, ctx.data.httpStatementsPerOrder as number) } : {}),
  });
}
