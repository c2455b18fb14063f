// The SQS adapter, against a mocked SQS client (there is no local SQS): what the ingest sends in
// AWS, that WEBHOOK_QUEUE_URL wins over the local queue, and that an SQS error is never a 200.
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getWebhookQueue, setWebhookQueue } from "@evently/functions/lib/queue";
import { createSqsQueue } from "@evently/functions/lib/sqs-queue";
import { invoke, recordingQueue, sign, stripeEventJson, webhookRequest, type Handler } from "./fixtures";

const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/stripe-webhooks";
const sqs = mockClient(SQSClient);
let handler: Handler;

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  ({ handler } = await import("@evently/functions/http/webhooks/stripe"));
});
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: "00000000-0000-4000-8000-000000000001" });
  process.env.WEBHOOK_QUEUE_URL = QUEUE_URL;
});
afterEach(() => {
  delete process.env.WEBHOOK_QUEUE_URL;
  setWebhookQueue(undefined);
});
afterAll(() => sqs.restore());

describe("SQS queue adapter", () => {
  it("sends the body to the queue URL with the attributes as String message attributes", async () => {
    await createSqsQueue(QUEUE_URL, new SQSClient({ region: "eu-west-1" })).send({
      body: '{"id":"evt_1"}',
      attributes: { eventId: "evt_1", type: "charge.refunded" },
    });
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: '{"id":"evt_1"}',
      MessageAttributes: {
        eventId: { DataType: "String", StringValue: "evt_1" },
        type: { DataType: "String", StringValue: "charge.refunded" },
      },
    });
  });

  it("omits message attributes that SQS would reject (none, or empty values)", async () => {
    const queue = createSqsQueue(QUEUE_URL, new SQSClient({ region: "eu-west-1" }));
    await queue.send({ body: "a" });
    await queue.send({ body: "b", attributes: { eventId: "" } });
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE_URL, MessageBody: "a" },
      { QueueUrl: QUEUE_URL, MessageBody: "b" },
    ]);
  });

  it("is what getWebhookQueue returns when WEBHOOK_QUEUE_URL is set, even with a local queue registered", async () => {
    const local = recordingQueue();
    setWebhookQueue(local);
    await getWebhookQueue().send({ body: "x", attributes: { eventId: "evt_2" } });
    expect(local.sent).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toMatchObject({ QueueUrl: QUEUE_URL, MessageBody: "x" });
  });

  it("carries a verified webhook from the ingest handler to SQS exactly once", async () => {
    const payload = stripeEventJson("payment_intent.payment_failed");
    const response = await invoke(handler, webhookRequest(payload, { "stripe-signature": sign(payload) }));
    expect(response.statusCode).toBe(200);
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      QueueUrl: QUEUE_URL,
      MessageBody: payload,
      MessageAttributes: {
        eventId: { DataType: "String", StringValue: JSON.parse(payload).id },
        type: { DataType: "String", StringValue: "payment_intent.payment_failed" },
      },
    });
  });

  it("sends nothing for a bad signature", async () => {
    const payload = stripeEventJson();
    const response = await invoke(handler, webhookRequest(payload, { "stripe-signature": sign(payload, { secret: "whsec_other" }) }));
    expect(response.statusCode).toBe(400);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it("propagates an SQS failure: the ingest answers 500 so Stripe redelivers", async () => {
    sqs.on(SendMessageCommand).rejects(new Error("ServiceUnavailable"));
    await expect(createSqsQueue(QUEUE_URL, new SQSClient({ region: "eu-west-1" })).send({ body: "x" })).rejects.toThrow(
      "ServiceUnavailable",
    );
    const payload = stripeEventJson();
    const response = await invoke(handler, webhookRequest(payload, { "stripe-signature": sign(payload) }));
    expect(response.statusCode).toBe(500);
  });
});
