import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { afterCommit, useTransaction } from "@evently/core/db/transaction";
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
