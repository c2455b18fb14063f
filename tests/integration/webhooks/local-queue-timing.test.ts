// The local queue takes its parameters from the deployed queue's contract and, by default, times
// redelivery as SQS does: a failed message comes back after the visibility timeout, not in seconds.
import type { SQSEvent } from "aws-lambda";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLocalQueue, type LocalQueue } from "@evently/local/queue/local-queue";
import { WEBHOOK_MAX_RECEIVE_COUNT, WEBHOOK_VISIBILITY_SECONDS } from "../../../infra/contracts";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { eventually } from "../../support/paid-event";

let database: TestDatabase;
let running: LocalQueue | undefined;
beforeAll(async () => (database = await createTestDatabase({ poolSize: 2 })));
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(() => database.destroy());

const policyOf = async (name: string) =>
  (
    await sql<{ retryLimit: number; retryDelay: number; retryBackoff: boolean; expireSeconds: number }>`
    SELECT retry_limit, retry_delay, retry_backoff, expire_seconds FROM pgboss.queue WHERE name = ${name}`.execute(database.db)
  ).rows[0];

describe("local queue timing", () => {
  it("defaults to the deployed queue's receives and visibility timeout, redelivering after it (no backoff)", async () => {
    running = await startLocalQueue({ databaseUrl: database.url, name: "timing-defaults", consumer: async () => undefined });
    expect(await policyOf("timing-defaults")).toEqual({
      retryLimit: WEBHOOK_MAX_RECEIVE_COUNT - 1,
      retryDelay: WEBHOOK_VISIBILITY_SECONDS,
      retryBackoff: false,
      expireSeconds: WEBHOOK_VISIBILITY_SECONDS,
    });
  });

  it("a failed message is invisible for the whole visibility timeout, then comes back once", async () => {
    const receives: number[] = [];
    running = await startLocalQueue({
      databaseUrl: database.url,
      name: "timing-aws",
      visibilityTimeoutSeconds: 3,
      pollIntervalMs: 50,
      consumer: async (event: SQSEvent) => {
        receives.push(Date.now());
        // The first receive fails; the redelivery succeeds.
        return receives.length === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] } : undefined;
      },
    });
    await running.queue.send({ body: "fails once" });
    await eventually(async () => receives.length === 2, 15_000, 50);
    const gapMs = receives[1]! - receives[0]!;
    expect(gapMs).toBeGreaterThanOrEqual(3_000);
    expect(gapMs).toBeLessThan(6_000);
    await running.idle();
    expect(receives).toHaveLength(2);
  });

  it("keeps a fast mode for tests: with a backoff the message is back at once", async () => {
    const receives: number[] = [];
    running = await startLocalQueue({
      databaseUrl: database.url,
      name: "timing-fast",
      backoff: { delaySeconds: 0, exponential: false },
      pollIntervalMs: 50,
      consumer: async (event: SQSEvent) => {
        receives.push(Date.now());
        return receives.length === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] } : undefined;
      },
    });
    expect((await policyOf("timing-fast"))?.retryDelay).toBe(0);
    await running.queue.send({ body: "fails once" });
    await eventually(async () => receives.length === 2, 5_000, 20);
    expect(receives[1]! - receives[0]!).toBeLessThan(1_500);
  });
});
