// useTransaction: ambient transactions, after-commit effects, and time budgets from the invocation's deadline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { afterCommit, useTransaction } from "@evently/core/db/transaction";
import { DeadlineExceeded, withDeadline } from "@evently/core/shared/deadline";
import { createTestDatabase, type TestDatabase } from "../../support/db";

let t: TestDatabase;
beforeAll(async () => (t = await createTestDatabase()));
afterAll(() => t.destroy());

const insertUser = (sub: string) => (trx: Parameters<Parameters<typeof useTransaction>[1]>[0]) =>
  trx.insertInto("users").values({ externalId: sub }).execute();

describe("useTransaction", () => {
  it("runs after-commit effects only after the outer transaction commits", async () => {
    const seen: string[] = [];
    await useTransaction(t.db, async (trx) => {
      await insertUser("a")(trx);
      await afterCommit(async () => {
        // Visible from another connection: the transaction has committed.
        const rows = await t.db.selectFrom("users").select("externalId").where("externalId", "=", "a").execute();
        seen.push(`effect:${rows.length}`);
      });
      await useTransaction(t.db, async (inner) => {
        expect(inner).toBe(trx); // nested call joins the ambient transaction
        await afterCommit(() => seen.push("inner"));
      });
      seen.push("body");
    });
    expect(seen).toEqual(["body", "effect:1", "inner"]);
  });

  it("drops effects and writes when the transaction rolls back", async () => {
    const seen: string[] = [];
    await expect(
      useTransaction(t.db, async (trx) => {
        await insertUser("b")(trx);
        await afterCommit(() => seen.push("effect"));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(seen).toEqual([]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from users where external_id = 'b'`.execute(t.db);
    expect(rows[0]?.n).toBe(0);
  });
});

describe("time budgets", () => {
  it("outside an invocation a connection keeps bounded session defaults", async () => {
    const { rows } = await sql<{ statement: string; lock: string; idle: string }>`
      select current_setting('statement_timeout') as statement, current_setting('lock_timeout') as lock,
             current_setting('idle_in_transaction_session_timeout') as idle`.execute(t.db);
    expect(rows[0]).toEqual({ statement: "30s", lock: "10s", idle: "1min" });
  });

  it("inside one, a slow statement is cancelled (57014) before the deadline, and the connection is reusable", async () => {
    const started = Date.now();
    const error = await withDeadline(Date.now() + 1_500, () => useTransaction(t.db, (trx) => sql`select pg_sleep(5)`.execute(trx))).catch(
      (e: unknown) => e,
    );
    const took = Date.now() - started;
    expect((error as { code?: string }).code).toBe("57014");
    expect(took).toBeLessThan(1_500);
    expect(took).toBeGreaterThan(500);
    // The budget was transaction-local: the same pooled connections are back on the defaults.
    const { rows } = await sql<{ s: string }>`select current_setting('statement_timeout') as s`.execute(t.db);
    expect(rows[0]?.s).toBe("30s");
  });

  it("a lock held elsewhere is given up (55P03) within the budget instead of awaited", async () => {
    await t.db.insertInto("users").values({ externalId: "locked" }).execute();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = t.db.transaction().execute(async (trx) => {
      await trx.selectFrom("users").select("id").where("externalId", "=", "locked").forUpdate().execute();
      locked();
      await held;
    });
    await isLocked;
    try {
      const started = Date.now();
      const error = await withDeadline(Date.now() + 1_200, () =>
        useTransaction(t.db, (trx) => trx.updateTable("users").set({ displayName: "x" }).where("externalId", "=", "locked").execute()),
      ).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe("55P03");
      expect(Date.now() - started).toBeLessThan(1_200);
    } finally {
      release();
      await holder;
    }
  });

  it("with no time left the transaction is not started at all", async () => {
    await expect(withDeadline(Date.now() + 100, () => useTransaction(t.db, async () => "never"))).rejects.toBeInstanceOf(DeadlineExceeded);
  });
});
