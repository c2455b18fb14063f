// 9. Cost as the data grows (`--curve`): the product's read paths at 100 k, 1 M and 5 M
// participations (each size its own seeded database, measured in interleaved rounds so a change
// in machine load hits every size alike), the CSV export's memory at 10 k and 100 k participants.
import pg from "pg";
import type { Actor } from "@evently/core/auth/actor";
import { createDb, type Db } from "@evently/core/db/client";
import { getAvailability } from "@evently/core/events";
import { getPayment } from "@evently/core/payments/payment-views";
import { eventParticipants, myParticipations } from "@evently/core/ticketing";
import type { StageContext } from "../lib/context";
import { measureCsvExport } from "../lib/csv-memory";
import { seed, seedId, type SeedResult } from "../lib/seed";
import { int, ms, percentile, ratio, seededRandom } from "../lib/stats";

interface Size {
  participations: number;
  users: number;
  events: number;
  db: Db;
  seeded: SeedResult;
  payments: Array<{ id: string; userId: string }>;
}

type Query = (size: Size, i: number) => Promise<unknown>;

const adminOf = (s: Size): Actor => ({
  sub: "bench-admin",
  email: "bench-admin@example.test",
  roles: ["member", "admin"],
  userId: s.seeded.adminId,
});

async function walk(s: Size, eventId: string): Promise<number> {
  let cursor: string | undefined;
  let rows = 0;
  do {
    const page = await eventParticipants(s.db, adminOf(s), { eventId, limit: 100, ...(cursor ? { cursor } : {}) });
    rows += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}

/** The product's read paths, each called through its core export. */
const QUERIES: Record<string, Query> = {
  "capacity check (getAvailability)": (s, i) => getAvailability(s.db, seedId("e", (i * 7919) % s.events)),
  "user dashboard (myParticipations, first page)": (s, i) => {
    const u = (i * 104_729) % s.users;
    return myParticipations(
      s.db,
      { sub: `bench-u-${u}`, email: `bench-u-${u}@example.test`, roles: ["member"], userId: seedId("u", u) },
      { limit: 20 },
    );
  },
  "payment history (getPayment)": (s, i) => {
    const p = s.payments[i % s.payments.length]!;
    return getPayment({ db: s.db }, { sub: `payer-${p.userId}`, email: "payer@example.test", roles: ["member"], userId: p.userId }, p.id);
  },
  "participant list, one page of 100 (eventParticipants)": (s, i) =>
    eventParticipants(s.db, adminOf(s), { eventId: s.seeded.bigEvents[i % s.seeded.bigEvents.length]!, limit: 100 }),
  "participant list of a 500-person event (5 pages)": (s, i) => walk(s, s.seeded.bigEvents[i % s.seeded.bigEvents.length]!),
};

export async function run(ctx: StageContext): Promise<void> {
  const postgres = await ctx.postgres();
  const counts = ctx.quick ? [10_000, 100_000, 500_000] : [100_000, 1_000_000, 5_000_000];
  const sizes: Size[] = [];
  try {
    for (const [i, n] of counts.entries()) {
      const url = await postgres.createDatabase(`bench_curve_${i}`);
      const client = new pg.Client(url);
      client.on("error", () => undefined);
      await client.connect();
      const users = n / 10;
      const events = Math.max(30, Math.round(n / 1000) * 10);
      ctx.log(`seeding ${int(n)} participations (${int(users)} users, ${int(events)} events)`);
      const seeded = await seed(client, { users, events, perUser: 10, chunk: 250_000 }, ctx.progress);
      const payments = (
        await client.query<{ id: string; userId: string }>(
          `SELECT id, user_id AS "userId" FROM payments TABLESAMPLE BERNOULLI (10) REPEATABLE (7) WHERE status = 'completed' LIMIT 200`,
        )
      ).rows;
      await client.end();
      ctx.log(`seeded ${int(n)} in ${(seeded.totalMs / 1000).toFixed(1)} s`);
      sizes.push({ participations: n, users, events, db: createDb({ connectionString: url, max: 1 }), seeded, payments });
    }
    await curve(ctx, sizes);
  } finally {
    await Promise.all(sizes.map((s) => s.db.destroy()));
  }
  await measureCsvExport(ctx, await postgres.createDatabase("bench_csv"));
}

async function curve(ctx: StageContext, sizes: Size[]): Promise<void> {
  const rounds = 3;
  const perRound = ctx.quick ? 30 : 60;
  const random = seededRandom(9);
  const samples = new Map<string, number[][]>(Object.keys(QUERIES).map((q) => [q, sizes.map(() => [])]));
  for (let round = 0; round < rounds; round++) {
    ctx.progress("curve rounds", round, rounds);
    for (const [name, query] of Object.entries(QUERIES)) {
      for (const [k, size] of sizes.entries()) {
        await query(size, 0); // one call first: its plan and pages are then warm for this size
        for (let j = 0; j < perRound; j++) {
          const started = performance.now();
          await query(size, Math.floor(random() * 1_000_000));
          samples.get(name)![k]!.push(performance.now() - started);
        }
      }
    }
  }
  const [first, last] = [sizes[0]!, sizes.at(-1)!];
  const logBound = Math.log(last.participations) / Math.log(first.participations);
  const p50s: Record<string, number[]> = {};
  for (const [name, bySize] of samples)
    p50s[name] = bySize.map((v) =>
      percentile(
        [...v].sort((a, b) => a - b),
        50,
      ),
    );
  ctx.data.sizes = sizes.map((s) => ({ participations: s.participations, seedMs: s.seeded.totalMs, counts: s.seeded.counts }));
  ctx.data.p50 = p50s;
  ctx.table({
    title: `p50 of the product's read paths as participations grow (${rounds} interleaved rounds of ${perRound} calls per size)`,
    columns: ["query", ...sizes.map((s) => `p50 ms at ${int(s.participations)}`), `largest / smallest`, "log n bound"],
    rows: Object.entries(p50s).map(([name, v]) => [name, ...v.map(ms), ratio(v.at(-1)! / v[0]!), ratio(logBound)]),
  });
  ctx.table({
    title: "Seeding each size (INSERT … SELECT generate_series)",
    columns: ["participations", "rows in all tables", "seconds"],
    rows: sizes.map((s) => [
      int(s.participations),
      int(Object.values(s.seeded.counts).reduce((a, b) => a + b, 0)),
      (s.seeded.totalMs / 1000).toFixed(1),
    ]),
  });
  for (const [name, v] of Object.entries(p50s)) {
    const growth = v.at(-1)! / v[0]!;
    ctx.check({
      name: `curve: ${name} p50 grows no faster than log n`,
      measured: `${ratio(growth)} from ${int(first.participations)} to ${int(last.participations)} (${ms(v[0]!)} → ${ms(v.at(-1)!)} ms)`,
      target: `≤ ${ratio(logBound)}`,
      pass: growth <= logBound,
    });
  }
}
