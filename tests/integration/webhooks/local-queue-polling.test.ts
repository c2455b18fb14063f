// How the local queue's pollers use the database: an idle queue polls once per interval whatever
// its concurrency, a backlog fans out to every concurrent batch even when no local send announced
// it, a poller fetches again at once after a batch (settling the previous one meanwhile), and a
// message is never handed out twice while its visibility timeout runs.
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import pg from "pg";
import PgBoss from "pg-boss";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startLocalQueue, type LocalQueue } from "@evently/local/queue/local-queue";
import type { MessageData } from "@evently/local/queue/sqs-records";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { eventually } from "../../support/paid-event";

let database: TestDatabase;
let running: LocalQueue | undefined;
let queues = 0;
beforeAll(async () => (database = await createTestDatabase({ poolSize: 2 })));
afterEach(async () => {
  vi.restoreAllMocks();
  await running?.stop();
  running = undefined;
});
afterAll(() => database.destroy());

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
const FETCH = "WITH next as"; // pg-boss 10's fetch
const COMPLETE = "state = 'completed'"; // pg-boss 10's complete

/**
 * Watches pg-boss's statements for one queue (its first parameter) at the driver; `hold` makes
 * them wait for a promise first. pg-boss's functions are bound per instance, so spying on them
 * would miss the queue's own instance.
 */
function watchStatements(name: string, marker: string, hold?: Promise<void>) {
  let count = 0;
  const proto = pg.Client.prototype as unknown as { query: Query };
  const query = proto.query;
  vi.spyOn(proto, "query").mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === "string" ? args[0] : "";
    if (!text.includes(marker) || (args[1] as unknown[] | undefined)?.[0] !== name) return query.apply(this, args);
    count++;
    if (!hold) return query.apply(this, args);
    // pg-boss hands the pool a callback; the pool passes it on to the client.
    void hold.then(() => query.apply(this, args));
    return undefined;
  });
  return { count: () => count };
}

/** Messages written by someone else (another process, a redelivery): no local send wakes the pollers. */
async function insertElsewhere(name: string, count: number): Promise<void> {
  const boss = new PgBoss({ connectionString: database.url, schema: "pgboss", max: 1, schedule: false, supervise: false });
  await boss.start();
  try {
    await boss.createQueue(name); // may come first: the local queue then keeps it and sets its policy
    const jobs = Array.from({ length: count }, (_, i): PgBoss.JobInsert<MessageData> => {
      const id = randomUUID();
      return { id, name, data: { id, body: `m${i}`, attributes: {}, sentAt: Date.now() } };
    });
    await boss.insert(jobs);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

describe("local queue polling", () => {
  it("polls an idle queue once per interval, not once per poller", async () => {
    const name = `polling-${++queues}`;
    const fetches = watchStatements(name, FETCH);
    running = await startLocalQueue({
      databaseUrl: database.url,
      name,
      concurrency: 4,
      pollIntervalMs: 100,
      consumer: async () => undefined,
    });
    const started = Date.now();
    await eventually(async () => fetches.count() >= 10, 10_000, 10);
    // Four pollers each polling would make 10 fetches in 3 intervals; one poller takes 4 + 6 intervals.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it("fans a backlog out to every concurrent batch although no local send announced it", async () => {
    const name = `polling-${++queues}`;
    let inFlight = 0;
    let peak = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    running = await startLocalQueue({
      databaseUrl: database.url,
      name,
      concurrency: 4,
      pollIntervalMs: 100,
      consumer: async () => {
        peak = Math.max(peak, ++inFlight);
        await released;
        inFlight--;
      },
    });
    await insertElsewhere(name, 40);
    // Only the polling poller sees the backlog; each full batch it takes brings in one more.
    await eventually(async () => peak === 4, 10_000, 10);
    release();
    await running.idle();
  });

  it("fetches again at once after a batch, while the previous one is still being settled", async () => {
    const name = `polling-${++queues}`;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const completes = watchStatements(name, COMPLETE, gate);
    await insertElsewhere(name, 25);
    const batches: number[] = [];
    // An hour between polls: only "fetch again at once" can deliver the second batch.
    running = await startLocalQueue({
      databaseUrl: database.url,
      name,
      concurrency: 1,
      pollIntervalMs: 3_600_000,
      consumer: async (event: SQSEvent) => void batches.push(event.Records.length),
    });
    try {
      await eventually(async () => batches.length === 2, 10_000, 10);
      expect(completes.count()).toBe(1); // the first batch's, still held
    } finally {
      openGate();
    }
    await running.idle({ timeoutMs: 10_000 });
    expect(batches).toEqual([10, 10, 5]);
  });

  it("never hands a message out twice while its visibility timeout runs", async () => {
    const name = `polling-${++queues}`;
    const receives = new Map<string, number>();
    running = await startLocalQueue({
      databaseUrl: database.url,
      name,
      concurrency: 4,
      pollIntervalMs: 20,
      visibilityTimeoutSeconds: 30,
      consumer: async (event: SQSEvent) => {
        for (const r of event.Records) receives.set(r.messageId, (receives.get(r.messageId) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 50)); // a batch takes a while: others poll meanwhile
      },
    });
    await Promise.all(Array.from({ length: 60 }, (_, i) => running!.queue.send({ body: `m${i}` })));
    await running.idle();
    expect(receives.size).toBe(60);
    expect([...receives.values()].every((n) => n === 1)).toBe(true);
  });
});
