// Mail nudges go to SQS in batches of ten: cancelling a big event makes ⌈N/10⌉ calls inside the
// route's time limit, each id its own message (the sender retries and dedupes per outbox id).
import { randomUUID } from "node:crypto";
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { dispatchMail } from "@evently/core/mail/outbox";
import { createSqsBatchSender } from "@evently/functions/lib/sqs-batch";

const QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/evently-mail";
const sqs = mockClient(SQSClient);
const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

beforeAll(async () => {
  process.env.MAIL_QUEUE_URL = QUEUE;
  process.env.AWS_REGION = "us-east-1";
  await import("@evently/functions/lib/mail"); // installs the dispatcher
});
afterAll(() => {
  delete process.env.MAIL_QUEUE_URL;
  sqs.restore();
});
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

it.each([1, 10, 11, 25, 1000])("%i outbox ids: ⌈N/10⌉ SendMessageBatch calls, one message per id, no single sends", async (n) => {
  const outbox = ids(n);
  await dispatchMail(outbox);
  const calls = sqs.commandCalls(SendMessageBatchCommand);
  expect(calls).toHaveLength(Math.ceil(n / 10));
  expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  const entries = calls.flatMap((c) => c.args[0].input.Entries ?? []);
  expect(entries.map((e) => e.MessageBody)).toEqual(outbox);
  expect(entries[0]!.MessageAttributes).toEqual({ outboxId: { DataType: "String", StringValue: outbox[0] } });
  for (const c of calls) {
    expect(c.args[0].input.QueueUrl).toBe(QUEUE);
    const entryIds = (c.args[0].input.Entries ?? []).map((e) => e.Id);
    expect(new Set(entryIds).size).toBe(entryIds.length); // unique within a call, as SQS requires
  }
});

it("entries SQS refused and failed calls are counted after every batch was tried", async () => {
  const outbox = ids(30);
  sqs
    .on(SendMessageBatchCommand)
    .resolvesOnce({ Successful: [], Failed: [{ Id: "m3", SenderFault: false, Code: "InternalError" }] })
    .rejectsOnce(new Error("throttled"))
    .resolves({ Successful: [], Failed: [] });
  const send = createSqsBatchSender(QUEUE, new SQSClient({ region: "us-east-1" }));
  await expect(send(outbox.map((id) => ({ body: id })))).rejects.toThrow("11 of 30 messages were not queued");
  expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
});
