// The archive job on 50,000 aged rows: bounded batches move everything past the retention cut-offs,
// nothing younger; a run killed mid-way and re-run neither loses nor duplicates a row.
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { archive } from "@evently/core/archival";
import { createDb } from "@evently/core/db/client";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { makeActor } from "../../support/fixtures";
import { createPaidEvent } from "../../support/paid-event";

const AGED_HISTORY = 30_000;
const AGED_LEDGER = 20_000;
const YOUNG = 1_000;

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
  await seed(t);
});
afterEach(() => t.destroy());

/** Rows just past each cut-off (to move), just inside it (to keep), and old but not completed (to keep). */
async function seed({ db }: TestDatabase) {
  const ev = await createPaidEvent(db);
  const buyer = await makeActor(db);
  const p = await db
    .insertInto("participations")
    .values({
      eventId: ev.eventId,
      userId: buyer.userId,
      kind: "ticket",
      status: "cancelled",
      ticketTypeId: ev.ticketTypeId,
      cancelledAt: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const order = await db
    .insertInto("orders")
    .values({
      participationId: p.id,
      eventId: ev.eventId,
      userId: buyer.userId,
      ticketTypeId: ev.ticketTypeId,
      quantity: 1,
      unitPriceMinor: 2500,
      subtotalMinor: 2500,
      amountMinor: 2500,
      currency: "USD",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const pay = await db
    .insertInto("payments")
    .values({ orderId: order.id, userId: buyer.userId, amountMinor: 2500, currency: "USD" })
    .returning("id")
    .executeTakeFirstOrThrow();
  await sql`
    INSERT INTO participation_history (participation_id, action_type, new_values, created_at)
    SELECT ${p.id}, 'Updated', jsonb_build_object('n', g), now() - interval '2 years' - g * interval '1 minute'
    FROM generate_series(1, ${AGED_HISTORY}) g`.execute(db);
  await sql`
    INSERT INTO participation_history (participation_id, action_type, created_at)
    SELECT ${p.id}, 'Updated', now() - interval '2 years' + interval '1 day' + g * interval '1 second' FROM generate_series(1, ${YOUNG}) g`.execute(
    db,
  );
  await sql`
    INSERT INTO payment_transactions (payment_id, type, amount_minor, currency, status, processed_at, created_at)
    SELECT ${pay.id}, 'payment', 2500, 'USD', 'completed', now() - interval '7 years' - g * interval '1 minute', now() - interval '7 years' - g * interval '1 minute'
    FROM generate_series(1, ${AGED_LEDGER}) g`.execute(db);
  await sql`
    INSERT INTO payment_transactions (payment_id, type, amount_minor, currency, status, processed_at)
    SELECT ${pay.id}, 'payment', 2500, 'USD', s.status, now() - s.age
    FROM generate_series(1, ${YOUNG}) g, LATERAL (VALUES
      (CASE WHEN g % 2 = 0 THEN 'completed' ELSE 'failed' END,
       CASE WHEN g % 2 = 0 THEN interval '7 years' - interval '1 day' ELSE interval '8 years' END)) s(status, age)`.execute(db);
}

async function census(db = t.db) {
  const { rows } = await sql<{
    live: number;
    archived: number;
    both: number;
    ledgerLive: number;
    ledgerArchived: number;
    ledgerBoth: number;
  }>`
    SELECT
      (SELECT count(*) FROM participation_history)::int AS live,
      (SELECT count(*) FROM participation_history_archive)::int AS archived,
      (SELECT count(*) FROM participation_history h JOIN participation_history_archive a USING (id))::int AS both,
      (SELECT count(*) FROM payment_transactions)::int AS ledger_live,
      (SELECT count(*) FROM payment_transactions_archive)::int AS ledger_archived,
      (SELECT count(*) FROM payment_transactions t JOIN payment_transactions_archive a USING (id))::int AS ledger_both`.execute(db);
  return rows[0]!;
}

/** Same totals, no row in both tables: nothing lost, nothing duplicated. */
async function expectConserved(before: Awaited<ReturnType<typeof census>>) {
  const now = await census();
  expect(now.live + now.archived).toBe(before.live + before.archived);
  expect(now.ledgerLive + now.ledgerArchived).toBe(before.ledgerLive + before.ledgerArchived);
  expect([now.both, now.ledgerBoth]).toEqual([0, 0]);
  return now;
}

/** The job's own connection, named so the tests can find and kill exactly that backend. */
const JOB_APP = "archive-job";
const jobDatabase = () => createDb({ connectionString: `${t.url}?application_name=${JOB_APP}`, max: 1 });
const killJobBackend = (onlyMidMove: boolean) =>
  sql<{ pid: number }>`
    SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = ${JOB_APP}
      AND (NOT ${onlyMidMove} OR (state = 'active' AND query LIKE '%WITH moved AS%'))`
    .execute(t.db)
    .then((r) => r.rows.length > 0);

describe("archive", () => {
  it("moves every aged row over several bounded runs and keeps everything younger", async () => {
    const before = await census();
    const results = [];
    for (let run = 0; run < 40; run++) {
      // A 1 ms budget: each run does one batch and stops, as a run cut short by its timeout would.
      const result = await archive(t.db, { batchSize: 5_000, timeBudgetMs: 1 });
      results.push(result);
      if (!result.moreRemaining) break;
    }
    expect(results.length).toBeGreaterThan(5);
    expect(results.every((r) => r.participationHistory + r.paymentTransactions <= 5_000)).toBe(true);
    expect(results.reduce((n, r) => n + r.participationHistory, 0)).toBe(AGED_HISTORY);
    expect(results.reduce((n, r) => n + r.paymentTransactions, 0)).toBe(AGED_LEDGER);
    const after = await expectConserved(before);
    expect(after).toMatchObject({ archived: AGED_HISTORY, ledgerArchived: AGED_LEDGER, ledgerLive: YOUNG });
    expect(after.live).toBe(before.live - AGED_HISTORY);
    const { rows } = await sql<{ oldest: Date }>`SELECT min(created_at) AS oldest FROM participation_history`.execute(t.db);
    expect(rows[0]!.oldest.getTime()).toBeGreaterThan(Date.now() - 2 * 365.25 * 86_400_000);
    // A further run finds nothing: idempotent.
    expect(await archive(t.db, { batchSize: 5_000, timeBudgetMs: 60_000 })).toMatchObject({
      participationHistory: 0,
      paymentTransactions: 0,
      moreRemaining: false,
    });
  });

  it("moves 50,000 rows in one run within its budget, each batch short", async () => {
    const result = await archive(t.db, { batchSize: 5_000, timeBudgetMs: 120_000 });
    expect(result).toMatchObject({ participationHistory: AGED_HISTORY, paymentTransactions: AGED_LEDGER, moreRemaining: false });
    expect(result.longestBatchMs).toBeLessThan(5_000);
    const rate = Math.round(((AGED_HISTORY + AGED_LEDGER) / result.durationMs) * 1000);
    console.info(
      `archive: ${AGED_HISTORY + AGED_LEDGER} rows in ${result.durationMs} ms (${rate} rows/s), ${result.batches} batches, longest ${result.longestBatchMs} ms`,
    );
  });

  it("a run whose connection is killed in the middle of a batch loses and duplicates nothing; a re-run finishes", async () => {
    const before = await census();
    const jobDb = jobDatabase();
    let running = true;
    const watcher = (async () => {
      // Let a few batches commit, then kill the backend while it executes a move.
      await new Promise((r) => setTimeout(r, 150));
      while (running) {
        if (await killJobBackend(true)) return true;
        await new Promise((r) => setTimeout(r, 1));
      }
      return false;
    })();
    const outcome = await archive(jobDb, { batchSize: 1_000, timeBudgetMs: 60_000 }).then(
      () => "finished",
      (e: unknown) => String(e),
    );
    running = false;
    expect(await watcher).toBe(true);
    expect(outcome).toMatch(/terminat/i);
    await jobDb.destroy().catch(() => undefined);

    const midway = await expectConserved(before);
    expect(midway.archived % 1_000).toBe(0); // only whole batches committed
    expect(midway.archived + midway.ledgerArchived).toBeGreaterThan(0);
    expect(midway.archived + midway.ledgerArchived).toBeLessThan(AGED_HISTORY + AGED_LEDGER);

    const rerun = await archive(t.db, { batchSize: 1_000, timeBudgetMs: 60_000 });
    expect(rerun.moreRemaining).toBe(false);
    expect(rerun.participationHistory + rerun.paymentTransactions).toBe(
      AGED_HISTORY + AGED_LEDGER - midway.archived - midway.ledgerArchived,
    );
    expect(await expectConserved(before)).toMatchObject({ archived: AGED_HISTORY, ledgerArchived: AGED_LEDGER });
  });

  it("a run stopped between batches resumes where it stopped; a connection lost between batches is replaced", async () => {
    const before = await census();
    let batches = 0;
    // The process dies after its third commit (a Lambda timeout, a crash).
    const crash = archive(t.db, {
      batchSize: 2_000,
      timeBudgetMs: 60_000,
      onBatch: () => {
        if (++batches === 3) throw new Error("process killed");
      },
    });
    await expect(crash).rejects.toThrow("process killed");
    expect(await expectConserved(before)).toMatchObject({ archived: 6_000, ledgerArchived: 0 });

    // The next run's connection dies between two of its batches: the pool reconnects and it carries on.
    const jobDb = jobDatabase();
    let killed = false;
    const resumed = await archive(jobDb, {
      batchSize: 2_000,
      timeBudgetMs: 60_000,
      onBatch: async () => {
        if (killed) return;
        killed = await killJobBackend(false);
        await new Promise((r) => setTimeout(r, 50)); // the client sees its socket close
      },
    });
    await jobDb.destroy();
    expect(killed).toBe(true);
    expect(resumed).toMatchObject({ participationHistory: AGED_HISTORY - 6_000, paymentTransactions: AGED_LEDGER, moreRemaining: false });
    expect(await expectConserved(before)).toMatchObject({ archived: AGED_HISTORY, ledgerArchived: AGED_LEDGER });
  });

  it("skips rows an earlier, interrupted copy already put in the archive (ON CONFLICT DO NOTHING)", async () => {
    // A copy without the delete, as a non-transactional archiver could leave behind.
    await sql`INSERT INTO participation_history_archive SELECT * FROM participation_history WHERE created_at < now() - interval '2 years' ORDER BY created_at LIMIT 500`.execute(
      t.db,
    );
    const before = await census();
    const result = await archive(t.db, { batchSize: 5_000, timeBudgetMs: 60_000 });
    expect(result.participationHistory).toBe(AGED_HISTORY);
    const after = await census();
    expect(after).toMatchObject({ archived: AGED_HISTORY, both: 0, ledgerArchived: AGED_LEDGER });
    expect(after.live).toBe(before.live - AGED_HISTORY);
  });
});
