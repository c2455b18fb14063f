// 2. HTTP through the local runtime (its own process) at concurrency 16 and 64, each route against
// the raw baseline server (same SQL with `pg`, also in its own process), in the same run. The
// runtime's resident memory is sampled during every run (stage 7 reports it).
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { StageContext } from "../lib/context";
import { createEvent, createOrganizer } from "../lib/fixtures";
import { loadTest, signTokens, smoke, type LoadResult, type RequestSpec } from "../lib/load";
import type { ServerChild } from "../lib/proc";
import { httpProse } from "../lib/prose";
import { int, mb, ms, ratio } from "../lib/stats";

type Target = "product" | "raw";

interface Scenario {
  key: string;
  route: string;
  kind: "read" | "write";
  make: (target: Target, tokens: string[]) => (i: number) => RequestSpec;
}

export interface HttpRun {
  scenario: string;
  route: string;
  kind: "read" | "write";
  connections: number;
  target: Target;
  result: LoadResult;
  peakRss: number;
  statementsPerRequest: number;
}

export async function run(ctx: StageContext): Promise<void> {
  const live = await ctx.live();
  await measure(ctx, live.pool, { product: live.runtime, raw: live.raw });
}

async function measure(ctx: StageContext, pool: pg.Pool, servers: Record<Target, ServerChild>): Promise<void> {
  const idle = {
    product: (await servers.product.request<{ rss: number }>("memory")).rss,
    raw: (await servers.raw.request<{ rss: number }>("memory")).rss,
  };
  ctx.data.idleRss = idle;
  const organizer = await createOrganizer(pool);
  const show = await createEvent(pool, organizer.id, { kind: "ticketed", capacity: 500, title: "Read me", categories: 2 });
  for (const name of ["Early", "VIP"])
    await pool.query(`INSERT INTO ticket_types (event_id, name, price_minor, currency, sort_order) VALUES ($1, $2, 4000, 'USD', 1)`, [
      show.eventId,
      name,
    ]);
  // Writes land on one event per (route, target): the hot row is part of what is measured.
  const writeEvents = {
    rsvp: {
      product: await createEvent(pool, organizer.id, { kind: "rsvp", capacity: 1_000_000 }),
      raw: await createEvent(pool, organizer.id, { kind: "rsvp", capacity: 1_000_000 }),
    },
    orders: {
      product: await createEvent(pool, organizer.id, { kind: "ticketed", capacity: 1_000_000 }),
      raw: await createEvent(pool, organizer.id, { kind: "ticketed", capacity: 1_000_000 }),
    },
  };
  const readSeconds = ctx.quick ? 1 : 4;
  const writeAmount = ctx.quick ? 60 : 1_000;
  const warmup = ctx.quick ? 16 : 200;

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const scenarios: Scenario[] = [
    {
      key: "event",
      route: "GET /events/{id}",
      kind: "read",
      make: () => () => ({ method: "GET", path: `/events/${show.eventId}` }),
    },
    {
      key: "availability",
      route: "GET /events/{id}/availability",
      kind: "read",
      make: () => () => ({ method: "GET", path: `/events/${show.eventId}/availability` }),
    },
    {
      key: "rsvp",
      route: "POST /events/{id}/rsvp",
      kind: "write",
      make: (target, tokens) => (i) => ({
        method: "POST",
        path: `/events/${writeEvents.rsvp[target].eventId}/rsvp`,
        headers: bearer(tokens[i]!),
      }),
    },
    {
      key: "orders",
      route: "POST /events/{id}/orders",
      kind: "write",
      make: (target, tokens) => (i) => ({
        method: "POST",
        path: `/events/${writeEvents.orders[target].eventId}/orders`,
        headers: { ...bearer(tokens[i]!), "idempotency-key": randomUUID() },
        body: JSON.stringify({ ticketTypeId: writeEvents.orders[target].ticketTypeId, quantity: 1 }),
      }),
    },
  ];

  const runs: HttpRun[] = [];
  let tokenBatch = 0;
  for (const scenario of scenarios) {
    // A route whose handler has not landed (404 from the router) or is broken (5xx) is skipped.
    const smokeTokens = scenario.kind === "write" ? await signTokens(`http-smoke-${scenario.key}`, 2) : [];
    const reason =
      (await smoke(String(servers.product.ready.apiUrl), scenario.make("product", smokeTokens)(0), servers.product.recentErrors)) ??
      (await smoke(String(servers.raw.ready.apiUrl), scenario.make("raw", smokeTokens)(1), servers.raw.recentErrors));
    if (reason) {
      ctx.skipPart(scenario.route, reason);
      continue;
    }
    for (const connections of [16, 64]) {
      // Alternate who goes first, so a change in machine load does not always favour one side.
      const order: Target[] = connections === 16 ? ["product", "raw"] : ["raw", "product"];
      for (const target of order) {
        const server = servers[target];
        const apiUrl = String(server.ready.apiUrl);
        const warm = Math.max(warmup, connections * (ctx.quick ? 1 : 2));
        const count = scenario.kind === "write" ? writeAmount + warm : 0;
        const tokens = count ? await signTokens(`http-${scenario.key}-${target}-${connections}-${tokenBatch++}`, count) : [];
        const make = scenario.make(target, tokens);
        // Warm-up (handler module load, JIT, pool connections); write warm-ups use their own tokens.
        await loadTest({ url: apiUrl, connections, amount: warm, make: (i) => make(i) });
        await server.request("memory");
        const before = await server.request<{ count: number }>("statements");
        const result =
          scenario.kind === "read"
            ? await loadTest({ url: apiUrl, connections, durationS: readSeconds, make })
            : await loadTest({ url: apiUrl, connections, amount: writeAmount, make: (i) => make(i + warm) });
        const after = await server.request<{ count: number }>("statements");
        const memory = await server.request<{ peakRss: number }>("memory");
        runs.push({
          scenario: scenario.key,
          route: scenario.route,
          kind: scenario.kind,
          connections,
          target,
          result,
          peakRss: memory.peakRss,
          statementsPerRequest: (after.count - before.count) / result.requests,
        });
        const bad = Object.entries(result.statuses).filter(([s]) => !s.startsWith("2"));
        ctx.log(
          `${scenario.route} c=${connections} ${target}: ${int(result.rps)} req/s, p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms${bad.length ? `, non-2xx ${bad.map(([s, n]) => `${s}×${n}`).join(" ")}` : ""}`,
        );
      }
    }
  }
  ctx.data.runs = runs;

  const rows: (string | number)[][] = [];
  for (const scenario of scenarios) {
    for (const connections of [16, 64]) {
      const p = runs.find((r) => r.scenario === scenario.key && r.connections === connections && r.target === "product");
      const b = runs.find((r) => r.scenario === scenario.key && r.connections === connections && r.target === "raw");
      if (!p || !b) continue;
      const share = p.result.rps / b.result.rps;
      const need = scenario.kind === "read" ? 0.5 : 0.3;
      const nonOk = (r: LoadResult) =>
        Object.entries(r.statuses)
          .filter(([s]) => !s.startsWith("2"))
          .reduce((n, [, c]) => n + c, 0) + r.errors;
      rows.push([
        scenario.route,
        connections,
        int(p.result.rps),
        ms(p.result.p50),
        ms(p.result.p99),
        int(b.result.rps),
        ms(b.result.p50),
        ms(b.result.p99),
        ratio(share),
        `≥ ${need}`,
        p.statementsPerRequest.toFixed(1),
        b.statementsPerRequest.toFixed(1),
        `${nonOk(p.result)} / ${nonOk(b.result)}`,
        mb(p.peakRss),
      ]);
      ctx.check({
        name: `HTTP ${scenario.route} at ${connections}: req/s vs raw baseline`,
        measured: `${ratio(share)} (${int(p.result.rps)} vs ${int(b.result.rps)} req/s)`,
        target: `≥ ${need}×`,
        pass: share >= need && nonOk(p.result) === 0,
        ...(share < need ? { advice: httpProse.advice(scenario.key, p.statementsPerRequest, b.statementsPerRequest) } : {}),
      });
      if (connections === 16) {
        ctx.check({
          name: `HTTP ${scenario.route} p99 at 16`,
          measured: `${ms(p.result.p99)} ms (raw ${ms(b.result.p99)} ms)`,
          target: "< 20 ms",
          pass: p.result.p99 < 20,
          ...(p.result.p99 >= 20
            ? {
                advice: httpProse.p99Advice(
                  scenario.key,
                  { p50: p.result.p50, sql: p.statementsPerRequest },
                  { p50: b.result.p50, p99: b.result.p99, sql: b.statementsPerRequest },
                ),
              }
            : {}),
        });
      }
    }
  }
  ctx.table({
    title: httpProse.caption(readSeconds, int(writeAmount)),
    columns: [
      "route",
      "conns",
      "product req/s",
      "p50 ms",
      "p99 ms",
      "raw req/s",
      "raw p50",
      "raw p99",
      "product / raw",
      "target",
      "SQL/req product",
      "SQL/req raw",
      "non-2xx product / raw",
      "runtime peak RSS",
    ],
    rows,
    notes: httpProse.notes,
  });
}
