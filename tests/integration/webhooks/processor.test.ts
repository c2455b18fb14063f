// The webhook processor's batch mechanics: per-record success and failure, batchItemFailures,
// outcome logs and metrics, and — fed by the local queue — retries and the dead-letter queue.
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { logger } from "@evently/functions/lib/observability";
import {
  createProcessor,
  webhookMetrics,
  type BatchHandler,
  type StripeEventEnvelope,
  type WebhookResult,
} from "@evently/functions/queue/webhook-batch";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { startLocalQueue, type LocalQueue } from "@evently/local/queue/local-queue";
import { toSqsRecord } from "@evently/local/queue/sqs-records";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { stripeEventJson } from "./fixtures";

const record = (body: string, receiveCount = 1): SQSRecord =>
  toSqsRecord(
    { data: { id: crypto.randomUUID(), body, attributes: {}, sentAt: Date.now() }, receiveCount, firstReceivedAt: Date.now() },
    "stripe-webhooks",
    "eu-west-1",
  );
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const idOf = (r: SQSRecord) => (JSON.parse(r.body) as { id: string }).id;
type EventHandler = (event: StripeEventEnvelope, record: SQSRecord) => Promise<WebhookResult>;
/** A batch handler that settles each event on its own, for tests of the per-record mechanics. */
const eachEvent =
  (handle: EventHandler): BatchHandler =>
  (events, records) =>
    Promise.all(
      events.map((event, i) =>
        handle(event, records[i]!).then(
          (result) => ({ ok: true as const, result }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      ),
    );
const run = (handle: EventHandler, event: SQSEvent) => createProcessor(eachEvent(handle))(event, lambdaContext("webhook-processor"));

afterEach(() => vi.restoreAllMocks());

describe("webhook processor", () => {
  it("reports only the failed record in batchItemFailures; the others are handled and logged with their outcome", async () => {
    const [a, b, c] = [record(stripeEventJson()), record(stripeEventJson("payment_intent.payment_failed")), record(stripeEventJson())];
    const seen: StripeEventEnvelope[] = [];
    const info = vi.spyOn(logger, "info");
    const response = await run(
      async (event) => {
        seen.push(event);
        if (event.type === "payment_intent.payment_failed") throw new Error("write failed");
        return { outcome: "payment_completed", duplicate: false };
      },
      batch(a!, b!, c!),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: b!.messageId }] });
    expect(seen.map((e) => e.id).sort()).toEqual([a!, b!, c!].map(idOf).sort());
    expect(seen[0]).toMatchObject({
      type: expect.any(String),
      created: expect.any(Number),
      data: { object: expect.objectContaining({ object: "payment_intent" }) },
    });
    const handled = info.mock.calls.filter(([message]) => message === "Stripe event handled").map(([, extra]) => extra);
    expect(handled).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventId: idOf(a!), outcome: "payment_completed", duplicate: false, receiveCount: 1 }),
        expect.objectContaining({ eventId: idOf(c!), outcome: "payment_completed" }),
      ]),
    );
  });

  it("counts processed, duplicate and failed events", async () => {
    const added = vi.spyOn(webhookMetrics, "addMetric");
    await run(
      async (event) => {
        if (event.type === "charge.refunded") throw new Error("boom");
        return { outcome: "ok", duplicate: event.type === "refund.updated" };
      },
      batch(record(stripeEventJson()), record(stripeEventJson("refund.updated")), record(stripeEventJson("charge.refunded"))),
    );
    expect(added.mock.calls.map(([name]) => name).sort()).toEqual([
      "WebhookEventsDuplicate",
      "WebhookEventsFailed",
      "WebhookEventsProcessed",
    ]);
  });

  it("fails a record whose body is not a Stripe event without calling the dispatcher", async () => {
    const handle = vi.fn<EventHandler>(async () => ({ outcome: "ok", duplicate: false }));
    const good = record(stripeEventJson());
    const bad = [record("not json"), record('{"id":"evt_1","type":"x"}')];
    const response = await run(handle, batch(good, ...bad));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(bad.map((r) => r.messageId).sort());
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it("hands the batch's parseable events to the handler in one call, in record order, and settles each record on its own result", async () => {
    const records = [record(stripeEventJson()), record("not json"), record(stripeEventJson()), record(stripeEventJson())];
    const calls: string[][] = [];
    const response = await createProcessor(async (events) => {
      calls.push(events.map((e) => e.id));
      return events.map((_, i) =>
        i === 1 ? { ok: false, error: new Error("write failed") } : { ok: true, result: { outcome: "ok", duplicate: false } },
      );
    })(batch(...records), lambdaContext("webhook-processor"));
    expect(calls).toEqual([[records[0]!, records[2]!, records[3]!].map(idOf)]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([records[1]!.messageId, records[2]!.messageId].sort());
  });

  it("fails every record when the batch handler answers for fewer events than it was given", async () => {
    const records = [record(stripeEventJson()), record(stripeEventJson())];
    const processor = createProcessor(async () => [{ ok: true, result: { outcome: "ok", duplicate: false } }]);
    await expect(processor(batch(...records), lambdaContext("webhook-processor"))).rejects.toThrow();
  });

  it("throws when every record fails, so the whole batch is retried", async () => {
    await expect(
      run(async () => Promise.reject(new Error("database down")), batch(record(stripeEventJson()), record(stripeEventJson()))),
    ).rejects.toThrow();
  });
});

describe("webhook processor behind the local queue", () => {
  let database: TestDatabase;
  let queue: LocalQueue | undefined;
  beforeAll(async () => (database = await createTestDatabase({ poolSize: 1 })));
  afterAll(async () => {
    await queue?.stop();
    await database.destroy();
  });

  it("dead-letters an event that always fails after 5 receives while the rest are handled once", async () => {
    const handled = new Map<string, number[]>();
    const poison = stripeEventJson("charge.dispute.created");
    const poisonId = JSON.parse(poison).id as string;
    const processor = createProcessor(
      eachEvent(async (event, rec) => {
        handled.set(event.id, [...(handled.get(event.id) ?? []), Number(rec.attributes.ApproximateReceiveCount)]);
        if (event.id === poisonId) throw new Error("cannot apply");
        return { outcome: "ok", duplicate: false };
      }),
    );
    queue = await startLocalQueue({
      databaseUrl: database.url,
      name: "stripe-webhooks",
      consumer: processor,
      backoff: { delaySeconds: 0, exponential: false },
    });
    const others = Array.from({ length: 12 }, () => stripeEventJson());
    for (const body of [...others.slice(0, 6), poison, ...others.slice(6)])
      await queue.queue.send({ body, attributes: { eventId: JSON.parse(body).id } });
    await queue.idle();

    expect(handled.get(poisonId)).toEqual([1, 2, 3, 4, 5]);
    for (const body of others) expect(handled.get(JSON.parse(body).id)).toEqual([1]);
    expect((await queue.deadLetters()).map((d) => ({ body: d.body, eventId: d.attributes.eventId }))).toEqual([
      { body: poison, eventId: poisonId },
    ]);
  });
});
