// The local queue (pg-boss on a real Postgres) behaves like SQS + Lambda's event source mapping:
// SQS-shaped batches, partial batch failures, whole-batch retries, backoff and a dead-letter queue.
import { createHash } from "node:crypto";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { QueueMessage } from "@evently/core/ports/queue";
import { startLocalQueue, type Consumer, type LocalQueue, type LocalQueueOptions } from "@evently/local/queue/local-queue";
import { failedMessageIds } from "@evently/local/queue/poller";
import { createTestDatabase, type TestDatabase } from "../../support/db";

let database: TestDatabase;
let running: LocalQueue | undefined;
let queues = 0;

beforeAll(async () => (database = await createTestDatabase({ poolSize: 2 })));
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(() => database.destroy());

const BLOCKER = "blocker";

/**
 * A queue whose consumer sees every batch; tests pass short backoff so retries come at once.
 * `together(messages)` makes the messages arrive as one batch: a blocker message occupies the
 * poller while they are sent.
 */
async function start(consumer: Consumer, options: Partial<LocalQueueOptions> = {}) {
  const batches: SQSRecord[][] = [];
  let blocked: (() => void) | undefined;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const queue = await startLocalQueue({
    databaseUrl: database.url,
    name: `test-${++queues}`,
    backoff: { delaySeconds: 0, exponential: false },
    ...options,
    consumer: async (event: SQSEvent, context) => {
      if (event.Records.some((r) => r.body === BLOCKER)) {
        blocked?.();
        return released;
      }
      batches.push(event.Records);
      return consumer(event, context);
    },
  });
  running = queue;
  async function together(messages: QueueMessage[]) {
    const busy = new Promise<void>((resolve) => (blocked = resolve));
    await queue.queue.send({ body: BLOCKER });
    await busy;
    for (const message of messages) await queue.queue.send(message);
    release();
  }
  return { queue, batches, received: () => batches.flat(), together };
}

const fail = (...ids: string[]): SQSBatchResponse => ({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });
const receivesOf = (records: SQSRecord[], body: string) =>
  records.filter((r) => r.body === body).map((r) => Number(r.attributes.ApproximateReceiveCount));

describe("local queue", () => {
  it("hands the consumer SQS-shaped records in batches of at most 10", async () => {
    const { queue, batches, received, together } = await start(async () => undefined, { concurrency: 1 });
    const before = Date.now();
    await together([
      { body: '{"n":0}', attributes: { eventId: "evt_0", type: "payment_intent.succeeded" } },
      ...Array.from({ length: 24 }, (_, i) => ({ body: `{"n":${i + 1}}` })),
    ]);
    await queue.idle();

    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(new Set(received().map((r) => r.messageId)).size).toBe(25);
    const first = received().find((r) => r.body === '{"n":0}')!;
    expect(first).toMatchObject({
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      receiptHandle: expect.any(String),
      md5OfBody: createHash("md5").update('{"n":0}').digest("hex"),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: "aws:sqs",
      eventSourceARN: expect.stringMatching(/^arn:aws:sqs:[\w-]+:\d{12}:test-\d+$/),
      awsRegion: expect.any(String),
      messageAttributes: {
        eventId: { stringValue: "evt_0", stringListValues: [], binaryListValues: [], dataType: "String" },
        type: { stringValue: "payment_intent.succeeded", stringListValues: [], binaryListValues: [], dataType: "String" },
      },
    });
    expect(first.attributes.ApproximateReceiveCount).toBe("1");
    expect(Number(first.attributes.SentTimestamp)).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(first.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(first.attributes.SentTimestamp));
    expect(await queue.deadLetters()).toEqual([]);
  });

  it("retries only the records reported in batchItemFailures; the rest complete on first receive", async () => {
    const { queue, batches, received, together } = await start(
      async (event) => {
        const b = event.Records.find((r) => r.body === "b" && r.attributes.ApproximateReceiveCount === "1");
        return b ? fail(b.messageId) : { batchItemFailures: [] };
      },
      { concurrency: 1 },
    );
    await together([{ body: "a" }, { body: "b" }, { body: "c" }]);
    await queue.idle();

    expect(batches[0]?.map((r) => r.body).sort()).toEqual(["a", "b", "c"]);
    expect(receivesOf(received(), "a")).toEqual([1]);
    expect(receivesOf(received(), "c")).toEqual([1]);
    expect(receivesOf(received(), "b")).toEqual([1, 2]);
    const [firstB, secondB] = received().filter((r) => r.body === "b");
    expect(secondB?.messageId).toBe(firstB?.messageId);
    expect(secondB?.receiptHandle).not.toBe(firstB?.receiptHandle);
    expect(secondB?.attributes.ApproximateFirstReceiveTimestamp).toBe(firstB?.attributes.ApproximateFirstReceiveTimestamp);
    expect(await queue.deadLetters()).toEqual([]);
  });

  it("dead-letters a poison message after exactly 5 receives without holding up its batch", async () => {
    const { queue, batches, received, together } = await start(
      async (event) => fail(...event.Records.filter((r) => r.body === "poison").map((r) => r.messageId)),
      { concurrency: 1 },
    );
    await together([{ body: "ok-1" }, { body: "poison", attributes: { eventId: "evt_poison" } }, { body: "ok-2" }]);
    await queue.idle();

    expect(batches[0]?.map((r) => r.body).sort()).toEqual(["ok-1", "ok-2", "poison"]);
    expect(receivesOf(received(), "ok-1")).toEqual([1]);
    expect(receivesOf(received(), "ok-2")).toEqual([1]);
    expect(receivesOf(received(), "poison")).toEqual([1, 2, 3, 4, 5]);
    const poisonId = received().find((r) => r.body === "poison")?.messageId;
    expect(await queue.deadLetters()).toEqual([
      expect.objectContaining({
        messageId: poisonId,
        body: "poison",
        attributes: { eventId: "evt_poison" },
        error: expect.objectContaining({ message: expect.any(String) }),
      }),
    ]);
  });

  it("retries the whole batch when the consumer throws, and when it names an unknown message", async () => {
    let calls = 0;
    const { queue, batches, together } = await start(
      async () => {
        calls++;
        if (calls === 1) throw new Error("consumer crashed");
        if (calls === 2) return fail("not-a-message-of-this-batch");
        return undefined;
      },
      { concurrency: 1 },
    );
    await together([{ body: "x" }, { body: "y" }]);
    await queue.idle();

    // Standard queues promise no order within a batch.
    expect(batches.map((b) => b.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`).sort())).toEqual([
      ["x#1", "y#1"],
      ["x#2", "y#2"],
      ["x#3", "y#3"],
    ]);
    expect(await queue.deadLetters()).toEqual([]);
  });

  it("counts a batch that outlives the consumer timeout as failed", async () => {
    let calls = 0;
    const { queue, received } = await start(
      async () => {
        if (++calls === 1) await new Promise((resolve) => setTimeout(resolve, 3_000));
      },
      { timeoutSeconds: 1 },
    );
    await queue.queue.send({ body: "slow" });
    await queue.idle();
    expect(receivesOf(received(), "slow")).toEqual([1, 2]);
  });

  it("waits longer before each retry with exponential backoff, then dead-letters", async () => {
    const at: number[] = [];
    const { queue, received } = await start(
      async (event) => {
        at.push(Date.now());
        return fail(...event.Records.map((r) => r.messageId));
      },
      { backoff: { delaySeconds: 1, exponential: true }, maxReceives: 3, pollIntervalMs: 50 },
    );
    await queue.queue.send({ body: "flaky" });
    await queue.idle({ timeoutMs: 20_000 });

    expect(receivesOf(received(), "flaky")).toEqual([1, 2, 3]);
    expect(await queue.deadLetters()).toHaveLength(1);
    // pg-boss waits delay × 2^(n-1) × (1 + jitter) seconds after the n-th failure: ≥ 1 s, then ≥ 2 s.
    const [t1 = 0, t2 = 0, t3 = 0] = at;
    expect(t2 - t1).toBeGreaterThanOrEqual(950);
    expect(t3 - t2).toBeGreaterThanOrEqual(1_950);
    expect(new Set(received().map((r) => r.attributes.ApproximateFirstReceiveTimestamp)).size).toBe(1);
  }, 30_000);

  it("stops cleanly: nothing is delivered after stop()", async () => {
    const { queue, received } = await start(async () => undefined);
    await queue.queue.send({ body: "before" });
    await queue.idle();
    await queue.stop();
    running = undefined;
    expect(received().map((r) => r.body)).toEqual(["before"]);
  });
});

describe("failedMessageIds (Lambda's batchItemFailures rules)", () => {
  const ids = ["m1", "m2", "m3"];
  it("treats no response or no failures as all succeeded", () => {
    expect(failedMessageIds(undefined, ids)).toEqual([]);
    expect(failedMessageIds({ batchItemFailures: [] }, ids)).toEqual([]);
  });
  it("fails exactly the named messages", () => expect(failedMessageIds(fail("m2"), ids)).toEqual(["m2"]));
  it("fails the whole batch for an empty or unknown identifier", () => {
    expect(failedMessageIds(fail(""), ids)).toEqual(ids);
    expect(failedMessageIds(fail("m9"), ids)).toEqual(ids);
  });
});
