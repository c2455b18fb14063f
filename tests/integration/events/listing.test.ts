// GET /events' service: only published events, soonest first, filters, and keyset pagination
// whose cursors stay stable while events are added or removed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompiledQuery, PostgresQueryCompiler, sql } from "kysely";
import { listEvents, type EventView } from "@evently/core/events";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { inDays, makeActor, makeCategory, makeEvent, type TestActor } from "../../support/fixtures";

let t: TestDatabase;
let org: TestActor;

beforeAll(async () => {
  t = await createTestDatabase();
  org = await makeActor(t.db, { role: "organizer" });
});
afterAll(() => t.destroy());

const titles = (page: { items: EventView[] }) => page.items.map((e) => e.title);

/** Walks every page of a listing and returns all items in order. */
async function walk(options: Parameters<typeof listEvents>[1]): Promise<EventView[]> {
  const all: EventView[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await listEvents(t.db, { ...options, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    if (!page.nextCursor) return all;
    cursor = page.nextCursor;
  }
  throw new Error("pagination did not end");
}

describe("listEvents filters", () => {
  it("lists only published events that have not ended, soonest first", async () => {
    const category = await makeCategory(t.db);
    const c = { categoryIds: [category.id] };
    await makeEvent(t.db, org, { ...c, title: "later", startsAt: inDays(20) });
    await makeEvent(t.db, org, { ...c, title: "sooner", startsAt: inDays(10) });
    await makeEvent(t.db, org, { ...c, title: "draft", startsAt: inDays(5), status: "draft" });
    await makeEvent(t.db, org, { ...c, title: "cancelled", startsAt: inDays(5), status: "cancelled" });
    await makeEvent(t.db, org, { ...c, title: "under way", startsAt: inDays(-0.1), endsAt: inDays(0.1) });
    await makeEvent(t.db, org, { ...c, title: "over", startsAt: inDays(-2), endsAt: inDays(-1) });

    expect(titles(await listEvents(t.db, { category: category.slug }))).toEqual(["under way", "sooner", "later"]);
    expect(titles(await listEvents(t.db, { category: category.slug, from: inDays(-30) }))).toEqual([
      "over",
      "under way",
      "sooner",
      "later",
    ]);
    expect(titles(await listEvents(t.db, { category: category.slug, from: inDays(1), to: inDays(15) }))).toEqual(["sooner"]);
  });

  it("filters by category slug or id; an unknown category matches nothing", async () => {
    const [music, art] = await Promise.all([makeCategory(t.db, { slug: "music-x" }), makeCategory(t.db)]);
    await makeEvent(t.db, org, { title: "gig", categoryIds: [music.id] });
    await makeEvent(t.db, org, { title: "both", categoryIds: [music.id, art.id] });
    await makeEvent(t.db, org, { title: "gallery", categoryIds: [art.id] });
    expect(titles(await listEvents(t.db, { category: "music-x" })).sort()).toEqual(["both", "gig"]);
    expect(titles(await listEvents(t.db, { category: art.id })).sort()).toEqual(["both", "gallery"]);
    expect(titles(await listEvents(t.db, { category: "MUSIC-X" })).sort()).toEqual(["both", "gig"]);
    expect((await listEvents(t.db, { category: "no-such-category" })).items).toEqual([]);
  });

  it("searches title and description as full text", async () => {
    await makeEvent(t.db, org, { title: "Quokka meetup", description: null });
    await makeEvent(t.db, org, { title: "Evening talks", description: "Featuring QUOKKA biologists and wombats" });
    await makeEvent(t.db, org, { title: "Wombat walk", status: "draft" });
    expect(titles(await listEvents(t.db, { q: "quokka" })).sort()).toEqual(["Evening talks", "Quokka meetup"]);
    expect(titles(await listEvents(t.db, { q: "quokka wombats" }))).toEqual(["Evening talks"]);
    expect(titles(await listEvents(t.db, { q: "quokka -biologists" }))).toEqual(["Quokka meetup"]);
    expect((await listEvents(t.db, { q: "(((" })).items).toEqual([]);
  });

  it("filters q with the very expression of the events_search_idx GIN index", async () => {
    // Capture the SQL listEvents really runs, then ask the planner whether the index can serve it.
    const compiled: CompiledQuery[] = [];
    const compiler = new PostgresQueryCompiler();
    const spy = t.db.withPlugin({
      transformQuery: (args) => (compiled.push(compiler.compileQuery(args.node, args.queryId)), args.node),
      transformResult: async (args) => args.result,
    });
    await listEvents(spy, { q: "quokka" });
    const query = compiled.at(-1)!;
    let plan: string[] = [];
    await t.db
      .transaction()
      .execute(async (trx) => {
        // GIN serves bitmap scans only; with the competing indexes gone (DDL is transactional and is
        // rolled back below) and sequential scans off, the plan names it exactly when it applies.
        await sql`drop index events_status_starts_at_idx`.execute(trx);
        await sql`drop index if exists events_published_ends_at_idx`.execute(trx);
        await sql`set local enable_seqscan = off`.execute(trx);
        const result = await trx.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
        plan = result.rows.map((r) => String(Object.values(r)[0]));
        throw new Error("rollback");
      })
      .catch((e: Error) => expect(e.message).toBe("rollback"));
    expect(plan.join("\n")).toContain("Bitmap Index Scan on events_search_idx");
  });
});

describe("listEvents pagination", () => {
  it("pages through ties on starts_at and microsecond differences without skipping or repeating", async () => {
    const category = await makeCategory(t.db);
    const same = inDays(40);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await makeEvent(t.db, org, { title: `tie ${i}`, startsAt: same, categoryIds: [category.id] }));
    // Two events a microsecond apart: a cursor with millisecond precision would repeat or skip one.
    for (const [i, us] of [
      [0, "000001"],
      [1, "000002"],
    ] as const) {
      const e = await makeEvent(t.db, org, { title: `micro ${i}`, startsAt: inDays(41), categoryIds: [category.id] });
      await sql`update events set starts_at = date_trunc('second', ${new Date(inDays(41))}::timestamptz) + ${`0.${us}`}::interval where id = ${e.id}`.execute(
        t.db,
      );
      made.push(e);
    }
    const all = await walk({ category: category.slug, limit: 2 });
    expect(all).toHaveLength(7);
    expect(new Set(all.map((e) => e.id)).size).toBe(7);
    const ties = made
      .slice(0, 5)
      .map((e) => e.id)
      .sort();
    expect(all.slice(0, 5).map((e) => e.id)).toEqual(ties);
    expect(all.slice(5).map((e) => e.title)).toEqual(["micro 0", "micro 1"]);
  });

  it("keeps a cursor stable: the same cursor gives the same page, and new earlier events do not shift it", async () => {
    const category = await makeCategory(t.db);
    for (let i = 0; i < 6; i++) await makeEvent(t.db, org, { title: `p${i}`, startsAt: inDays(50 + i), categoryIds: [category.id] });
    const first = await listEvents(t.db, { category: category.id, limit: 3 });
    expect(titles(first)).toEqual(["p0", "p1", "p2"]);
    expect(first.nextCursor).toEqual(expect.any(String));
    await makeEvent(t.db, org, { title: "early bird", startsAt: inDays(49), categoryIds: [category.id] });
    const second = await listEvents(t.db, { category: category.id, limit: 3, cursor: first.nextCursor! });
    expect(titles(second)).toEqual(["p3", "p4", "p5"]);
    expect(titles(await listEvents(t.db, { category: category.id, limit: 3, cursor: first.nextCursor! }))).toEqual(["p3", "p4", "p5"]);
    expect(second.nextCursor).toBeNull();
  });

  it("defaults to 20 per page and rejects cursors it did not issue", async () => {
    const category = await makeCategory(t.db);
    for (let i = 0; i < 21; i++) await makeEvent(t.db, org, { title: `d${i}`, startsAt: inDays(60), categoryIds: [category.id] });
    const page = await listEvents(t.db, { category: category.id });
    expect(page.items).toHaveLength(20);
    expect(page.nextCursor).not.toBeNull();
    for (const cursor of ["garbage", Buffer.from('{"s":"x","i":"y"}').toString("base64url"), Buffer.from("[1]").toString("base64url")]) {
      await expect(listEvents(t.db, { cursor })).rejects.toMatchObject({
        code: "validation_failed",
        extra: { errors: [{ path: "cursor" }] },
      });
    }
    await expect(listEvents(t.db, { limit: 101 })).rejects.toMatchObject({
      code: "validation_failed",
      extra: { errors: [{ path: "limit" }] },
    });
  });
});
