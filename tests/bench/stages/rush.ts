// 3. The rush on ONE event. (a) 2,000 buyers at once for 100 seats through HTTP: exactly 100 held,
// no 5xx, time to sell out. (b) sustained orders at concurrency 64: holds/s and p99, measured
// through HTTP (the whole order: idempotency, seat hold, Stripe sandbox PaymentIntent, response) and
// through the core seat-hold transaction alone, against the same transaction sent with `pg`.
import { randomUUID } from "node:crypto";
import type { Actor } from "@evently/core/auth/actor";
import { createDb, type Db } from "@evently/core/db/client";
import { LOCAL_DEFAULTS } from "@evently/local/env-defaults";
import type { StageContext } from "../lib/context";
import { createEvent, createMembers, createOrganizer, seatFacts } from "../lib/fixtures";
import { burst, loadTest, runConcurrent, signTokens, smoke, type LoadResult } from "../lib/load";
import type { Live } from "../lib/live";
import { rawSeatHold } from "../lib/raw-sql";
import { int, ms, percentile, perSecond, ratio } from "../lib/stats";

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

const fromConcurrent = (
  label: string,
  r: { latencies: number[]; durationMs: number; failures: number },
  holds: number,
  attempts: number,
): Variant => ({
  label,
  holds,
  attempts,
  durationMs: r.durationMs,
  holdsPerSecond: perSecond(holds, r.durationMs),
  p50: percentile(r.latencies, 50),
  p99: percentile(r.latencies, 99),
  failures: r.failures,
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
  const live = await ctx.live();
  // The local runtime's pool size (DB_POOL_MAX default 20) for every in-process variant.
  const db: Db = createDb({ connectionString: live.url, max: 20 });
  try {
    await measure(ctx, live, db);
  } finally {
    await db.destroy();
  }
}

async function measure(ctx: StageContext, live: Live, db: Db): Promise<void> {
  const pool = live.pool;
  // The issue's 20,000 orders against 50,000 seats go through HTTP; the in-process variants (rates,
  // not totals, are compared) use 2,500 each so the stage fits the full run's 15 minutes. Quick
  // mode: about a thirtieth (a tenth would not fit its two minutes).
  const orders = ctx.quick ? 600 : 20_000;
  const seats = ctx.quick ? 1_500 : 50_000;
  const inProcess = ctx.quick ? 500 : 2_500;
  const organizer = await createOrganizer(pool);
  const variants: Variant[] = [];

  // -- the product's seat-hold code ---------------------------------------------------------------
  const [{ useTransaction }, { setAuditContext }, repo, { takeSeats }, { createOrder }, { createFieldCipher }] = await Promise.all([
    import("@evently/core/db/transaction"),
    import("@evently/core/db/audit-context"),
    import("@evently/core/payments/orders.repository"),
    import("@evently/core/ticketing/seats"),
    import("@evently/core/payments/orders"),
    import("@evently/core/payments/crypto"),
  ]);
  class SeatsGone extends Error {}
  /** Exactly the transaction createOrder runs (payments/orders.ts), without pricing and the provider. */
  const coreSeatHold = (eventId: string, ticketTypeId: string, actor: Actor) =>
    useTransaction(db, async (trx) => {
      await setAuditContext(trx, { actorId: actor.userId });
      const participation = await repo.upsertTicketParticipation(trx, {
        eventId,
        userId: actor.userId,
        ticketTypeId,
        quantity: 1,
        status: "pending",
        holdTtlSeconds: 900,
      });
      if (!participation) throw new Error("already registered");
      await repo.insertOrderAndPayment(
        trx,
        {
          participationId: participation.id,
          eventId,
          userId: actor.userId,
          ticketTypeId,
          quantity: 1,
          unitPriceMinor: 2500,
          earlyBirdApplied: false,
          groupDiscountMinor: 0,
          promoCodeId: null,
          promoDiscountMinor: 0,
          slidingScalePercent: 0,
          slidingScaleDiscountMinor: 0,
          subtotalMinor: 2500,
          amountMinor: 2500,
          currency: "USD",
          holdExpiresAt: participation.holdExpiresAt,
          confirmed: false,
        },
        {},
      );
      if (!(await takeSeats(trx, { eventId, ticketTypeId, quantity: 1 }))) throw new SeatsGone();
    });
  // An in-process provider: the whole core order path without the network.
  const fakeGateway = {
    async createIntent(i: { paymentId: string; amountMinor: number; currency: "USD" | "EUR" | "GBP" | "CAD" }) {
      return {
        id: `pi_bench_${i.paymentId.replace(/-/g, "")}`,
        status: "requires_payment_method" as const,
        amountMinor: i.amountMinor,
        currency: i.currency,
        clientSecret: `pi_bench_${i.paymentId}_secret`,
        paymentId: i.paymentId,
        latestChargeId: null,
        card: null,
        lastError: null,
      };
    },
    async retrieveIntent(): Promise<never> {
      throw new Error("not used");
    },
    async cancelIntent(): Promise<never> {
      throw new Error("not used");
    },
    async createRefund(): Promise<never> {
      throw new Error("not used");
    },
  };
  const deps = {
    db,
    gateway: fakeGateway,
    cipher: createFieldCipher(LOCAL_DEFAULTS.DATA_KEY, LOCAL_DEFAULTS.BLIND_INDEX_KEY),
    holdTtlSeconds: 900,
  };

  const heldOn = async (eventId: string) => (await seatFacts(pool, eventId)).pending;

  // -- raw baseline (before) -----------------------------------------------------------------------
  const rawRun = async (tag: string) => {
    const ev = await createEvent(pool, organizer.id, { kind: "ticketed", capacity: seats, title: `raw ${tag}` });
    const members = await createMembers(pool, `rush-raw-${tag}`, inProcess);
    ctx.log(`raw pg seat-hold transaction (${tag}): ${int(inProcess)} orders, concurrency ${CONCURRENCY}`);
    const r = await runConcurrent(inProcess, CONCURRENCY, async (i) => {
      const client = await pool.connect();
      try {
        return await rawSeatHold(client, { eventId: ev.eventId, ticketTypeId: ev.ticketTypeId!, userId: members[i]!.userId });
      } finally {
        client.release();
      }
    });
    return fromConcurrent(`raw pg: the same seat-hold transaction (${tag})`, r, await heldOn(ev.eventId), inProcess);
  };
  const rawBefore = await rawRun("before");
  variants.push(rawBefore);

  // -- core seat hold on one event, and spread over 64 events -----------------------------------------
  {
    const ev = await createEvent(pool, organizer.id, { kind: "ticketed", capacity: seats, title: "core hold" });
    const members = await createMembers(pool, "rush-core", inProcess);
    ctx.log(`core seat-hold transaction: ${int(inProcess)} orders on one event, concurrency ${CONCURRENCY}`);
    const r = await runConcurrent(inProcess, CONCURRENCY, (i) => coreSeatHold(ev.eventId, ev.ticketTypeId!, members[i]!));
    variants.push(
      fromConcurrent(
        "core seat-hold transaction alone (upsertTicketParticipation + insertOrderAndPayment + takeSeats)",
        r,
        await heldOn(ev.eventId),
        inProcess,
      ),
    );
  }
  {
    const events = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) =>
        createEvent(pool, organizer.id, { kind: "ticketed", capacity: seats, title: `spread ${i}` }),
      ),
    );
    const members = await createMembers(pool, "rush-spread", inProcess);
    ctx.log(`core seat-hold transaction spread over ${CONCURRENCY} events (no single hot row): ${int(inProcess)} orders`);
    const r = await runConcurrent(inProcess, CONCURRENCY, (i) =>
      coreSeatHold(events[i % events.length]!.eventId, events[i % events.length]!.ticketTypeId!, members[i]!),
    );
    let held = 0;
    for (const e of events) held += await heldOn(e.eventId);
    variants.push(
      fromConcurrent(`core seat-hold transaction, spread over ${CONCURRENCY} events (reference: no hot row)`, r, held, inProcess),
    );
  }
  {
    const ev = await createEvent(pool, organizer.id, { kind: "ticketed", capacity: seats, title: "core order" });
    const members = await createMembers(pool, "rush-order", inProcess);
    ctx.log(`core createOrder with an in-process provider: ${int(inProcess)} orders`);
    const r = await runConcurrent(inProcess, CONCURRENCY, (i) =>
      createOrder(deps, members[i]!, ev.eventId, { ticketTypeId: ev.ticketTypeId!, quantity: 1 }),
    );
    variants.push(
      fromConcurrent(
        "core createOrder (pricing, hold, intent via an in-process fake provider, response view)",
        r,
        await heldOn(ev.eventId),
        inProcess,
      ),
    );
  }

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
      title: `(a) ${int(buyers)} buyers at once for ${seatCount} seats of one event, through HTTP (POST /events/{id}/orders, each with its own token and Idempotency-Key)`,
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
      notes: [
        `Every request was on its own already-open keep-alive socket, so all were sent in the same instant; the handler was warmed up by ${ctx.quick ? 100 : 300} orders on another event first.`,
      ],
    });
    const poolTimeout = /timeout exceeded when trying to connect/.test(runtimeError ?? "");
    const burstAdvice = poolTimeout
      ? `${fivexx} buyers got a 500 after waiting over 5 s for a database connection (pg-pool: "timeout exceeded when trying to connect"): the local gateway runs all ${int(buyers)} invocations at once against the process's one pool of 20 (DB_POOL_MAX), and core/db/client.ts:31 sets connectionTimeoutMillis: 5_000. ${facts.seats_taken - created.length > 0 ? `${facts.seats_taken - created.length} of them had already committed their hold (seats_taken ${facts.seats_taken}, ${created.length} × 201): they hold a seat without a PaymentIntent, and since a 5xx releases the Idempotency-Key, their retry runs createOrder again and gets 409 already_registered. ` : ""}Fixes: (1) packages/local/src/server/http-server.ts:78 — cap concurrent handler invocations at DB_POOL_MAX with a small semaphore, so excess requests queue in the gateway as they would behind Lambda's concurrency, instead of timing out on the pool; (2) core/db/client.ts:31 — outside Lambda, a pool-acquire timeout at least the route timeout (30 s); (3) core/payments/orders.ts:80 — when the caller already holds a pending participation with an order on this event, resume it (attachIntent + orderResult) instead of 409, so a retried order after a post-commit failure returns the hold. In AWS each container has its own connection (pool max 1), so (1)–(2) are local-runtime fixes; (3) matters everywhere.`
      : `${fivexx} 5xx${runtimeError ? ` (runtime: ${runtimeError.slice(0, 200)})` : ""}; see the runtime log.`;
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
            advice:
              facts.seats_taken > seatCount
                ? "OVERSOLD: seats_taken exceeds capacity — the conditional UPDATE in ticketing/seats.ts did not hold."
                : burstAdvice,
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

  const rawAfter = await rawRun("after");
  variants.push(rawAfter);
  const baseline = (rawBefore.holdsPerSecond + rawAfter.holdsPerSecond) / 2;

  ctx.table({
    title: `(b) sustained at concurrency ${CONCURRENCY} on one event with ${int(seats)} seats: ${int(orders)} orders through HTTP, ${int(inProcess)} for each in-process variant (pool of 20 connections, the runtime's DB_POOL_MAX)`,
    columns: ["path", "holds", "of", "seconds", "holds/s", "vs raw pg", "p50 ms", "p99 ms", "non-201 / failures"],
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
    notes: [
      `Raw pg baseline = the product's seat-hold statements (set_config, participation upsert, order+payment+audit CTE, the conditional UPDATE of both seat counters in one statement) between BEGIN and COMMIT, sent with pg; measured before and after the rest, baseline = their mean (${int(baseline)} holds/s).`,
      `Through HTTP an order is ${Number.isFinite(ctx.data.httpStatementsPerOrder as number) ? (ctx.data.httpStatementsPerOrder as number).toFixed(1) : "–"} SQL statements plus one Stripe sandbox call (the sandbox runs inside the runtime process, as in \`npm start\`).`,
    ],
  });
  const core = variants.find((v) => v.label.startsWith("core seat-hold transaction alone"))!;
  const spread = variants.find((v) => v.label.includes("spread"))!;
  const http = variants.find((v) => v.label.startsWith("HTTP"));
  ctx.data.variants = variants;
  ctx.data.baseline = baseline;
  const hotRowCapped = spread.holdsPerSecond > 1.5 * core.holdsPerSecond;
  ctx.note(
    hotRowCapped
      ? `The single event row caps the order path: the same transaction spread over ${CONCURRENCY} events reaches ${int(spread.holdsPerSecond)} holds/s against ${int(core.holdsPerSecond)} on one event (${ratio(spread.holdsPerSecond / core.holdsPerSecond)}). Every hold updates events.seats_taken and ticket_types.quantity_taken and keeps both rows locked until COMMIT.`
      : `The single event row is not what limits this machine: spreading the same transaction over ${CONCURRENCY} events gives ${int(spread.holdsPerSecond)} holds/s against ${int(core.holdsPerSecond)} on one (${ratio(spread.holdsPerSecond / core.holdsPerSecond)}); the CPU is.`,
  );
  const advice = hotRowCapped
    ? `The single event row caps it: spread over ${CONCURRENCY} events the same code reaches ${int(spread.holdsPerSecond)} holds/s (${ratio(spread.holdsPerSecond / core.holdsPerSecond)}). takeSeats (core/ticketing/seats.ts) already moves both counters in one statement, so the row lock lasts one statement plus COMMIT; what is left is the one row: slotted counters (e.g. 16 seat-slot rows per event, a hold takes from a random slot with room, seats_taken = their sum) spread the lock. Fewer transactions queueing on the row also helps a small database: at ${CONCURRENCY} concurrent holds through a pool of 20, p99 is ${ms(core.p99)} ms — in AWS cap the orders function's reserved concurrency (or the RDS Proxy's connections) near what the database can run at once.`
    : `The event row is not what limits this machine (spread over ${CONCURRENCY} events: ${int(spread.holdsPerSecond)} holds/s); the CPU is.`;
  ctx.check({
    name: "rush (b): core seat-hold transaction ≥ 1,000 holds/s on one event",
    measured: `${int(core.holdsPerSecond)} holds/s (${ratio(core.holdsPerSecond / baseline)} of raw pg), p99 ${ms(core.p99)} ms`,
    target: "≥ 1,000 holds/s",
    pass: core.holdsPerSecond >= 1000,
    ...(core.holdsPerSecond < 1000
      ? {
          advice: `${baseline < 1000 ? `The same transaction sent with pg reaches ${int(baseline)} holds/s in this run, so 1,000/s on one event is out of reach on this machine whatever the product does. ` : ""}${advice}`,
        }
      : {}),
  });
  if (!http) {
    ctx.check({
      name: "rush (b): whole order through HTTP ≥ 1,000 holds/s on one event",
      measured: `skipped: ${httpSkipped ?? "not measured"}`,
      target: "≥ 1,000 holds/s",
      pass: null,
    });
    return;
  }
  ctx.check({
    name: "rush (b): whole order through HTTP ≥ 1,000 holds/s on one event",
    measured: `${int(http.holdsPerSecond)} holds/s (${ratio(http.holdsPerSecond / baseline)} of raw pg seat-hold), p99 ${ms(http.p99)} ms`,
    target: "≥ 1,000 holds/s",
    pass: http.holdsPerSecond >= 1000,
    ...(http.holdsPerSecond < 1000
      ? {
          advice: `Per order the runtime sends ${Number.isFinite(ctx.data.httpStatementsPerOrder as number) ? (ctx.data.httpStatementsPerOrder as number).toFixed(0) : "~17"} statements and one Stripe call; after the hold, attachIntent (payments/intents.ts:11) re-reads the payment it just inserted (insertOrderAndPayment can RETURNING amount/currency), and orderResult (payments/views.ts:51) issues three more reads for rows this request just wrote — build the response from the transaction's RETURNING rows and the intent instead (−4 round trips per order). The row lock itself is covered by the check above.`,
        }
      : {}),
  });
}
