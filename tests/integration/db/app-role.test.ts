// The application role of migration 0010: it reads and writes rows through the real services, and every schema change is refused.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { sql } from "kysely";
import { createDb, type Db } from "@evently/core/db/client";
import { iamConnection } from "@evently/functions/lib/db-auth";
import { APP_ROLE } from "../../../migrations/0010_app_role";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { makeActor, makeCategory, makeEvent } from "../../support/fixtures";

let owner: TestDatabase;
let app: Db;
const password = randomBytes(18).toString("base64url");
/** Stands in for the RDS signer: what a deployed function's pg gets per new connection. */
let tokensSigned = 0;

async function asOwner(query: string): Promise<void> {
  const client = new pg.Client(owner.url);
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  owner = await createTestDatabase();
  // Only this test signs in with a password; the migration leaves the role NOLOGIN outside Aurora.
  await asOwner(`ALTER ROLE ${APP_ROLE} LOGIN PASSWORD '${password}'`);
  const url = new URL(owner.url);
  const target = { host: url.hostname, port: Number(url.port), user: APP_ROLE, database: owner.name, region: "us-east-1" };
  // The same path lib/db.ts takes with DB_IAM_AUTH: no password in the URL, one token per connection.
  app = createDb({ ...iamConnection(target, async () => (tokensSigned++, password)), max: 2 });
});

afterAll(async () => {
  await app?.destroy();
  await asOwner(`ALTER ROLE ${APP_ROLE} NOLOGIN PASSWORD NULL`);
  await owner?.destroy();
});

describe(`${APP_ROLE}`, () => {
  it("is who the connection runs as, and owns nothing", async () => {
    const { rows } = await sql<{ user: string; owned: number }>`
      SELECT current_user AS user,
             (SELECT count(*)::int FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)) AS owned`.execute(
      app,
    );
    expect(rows[0]).toEqual({ user: APP_ROLE, owned: 0 });
    expect(tokensSigned).toBeGreaterThanOrEqual(1);
  });

  it("runs the services: inserts, updates (with history triggers) and reads rows", async () => {
    const organizer = await makeActor(app, { role: "organizer" });
    const event = await makeEvent(app, organizer, { capacity: 10 });
    expect(event.status).toBe("published");
    const history = await app.selectFrom("eventStatusHistory").select("newStatus").where("eventId", "=", event.id).execute();
    expect(history.map((h) => h.newStatus)).toContain("published");
  });

  it("deletes rows", async () => {
    const category = await makeCategory(app);
    const deleted = await app.deleteFrom("categories").where("id", "=", category.id).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
  });

  it("gets the same rights on a table the migrator creates later (default privileges)", async () => {
    await asOwner("CREATE TABLE later_table (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text)");
    await sql`INSERT INTO later_table (note) VALUES ('ok')`.execute(app);
    const { rows } = await sql<{ note: string }>`SELECT note FROM later_table`.execute(app);
    expect(rows).toEqual([{ note: "ok" }]);
  });

  it.each([
    ["CREATE TABLE", "CREATE TABLE intruder (id int)"],
    ["DROP TABLE", "DROP TABLE events"],
    ["ALTER TABLE", "ALTER TABLE events ADD COLUMN intruder text"],
    ["TRUNCATE", "TRUNCATE payments"],
    ["CREATE FUNCTION", "CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'"],
    ["DROP TRIGGER", "DROP TRIGGER participations_log_change ON participations"],
    ["read the migrator's bookkeeping", "SELECT * FROM kysely_migration"],
  ])("is refused: %s", async (_what, statement) => {
    await expect(sql.raw(statement).execute(app)).rejects.toMatchObject({ code: expect.stringMatching(/^(42501|42P01)$/) });
  });

  it("left the schema untouched by the refused statements", async () => {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'intruder'`.execute(owner.db);
    expect(rows[0]?.n).toBe(0);
    const tables = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'intruder'`.execute(owner.db);
    expect(tables.rows[0]?.n).toBe(0);
  });
});
