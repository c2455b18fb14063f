// POST /webhooks/stripe: only correctly signed, fresh, untampered bodies are queued (byte for byte),
// everything else is a 400 problem with nothing queued, and the ingest never needs a database.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setWebhookQueue } from "@evently/functions/lib/queue";
import { invoke, recordingQueue, sign, stripeEventJson, webhookRequest, type Handler } from "./fixtures";

let handler: Handler;
let queue: ReturnType<typeof recordingQueue>;

beforeAll(async () => {
  // Invariant 3: with no way to reach a database, the ingest must still work.
  delete process.env.DATABASE_URL;
  delete process.env.DB_SECRET_ARN;
  delete process.env.WEBHOOK_QUEUE_URL;
  ({ handler } = await import("@evently/functions/http/webhooks/stripe"));
});
beforeEach(() => {
  queue = recordingQueue();
  setWebhookQueue(queue);
});
afterEach(() => setWebhookQueue(undefined));

async function expectRejected(response: Awaited<ReturnType<Handler>>) {
  expect(response.statusCode).toBe(400);
  expect(response.headers?.["content-type"]).toBe("application/problem+json");
  expect(JSON.parse(response.body ?? "")).toMatchObject({ status: 400, code: "invalid_signature", title: "Bad Request" });
  expect(queue.sent).toEqual([]);
}

describe("POST /webhooks/stripe", () => {
  it("queues a correctly signed event once, with the raw body and its id and type, and answers 200", async () => {
    const payload = stripeEventJson("payment_intent.succeeded");
    const { id } = JSON.parse(payload) as { id: string };
    const response = await invoke(handler, webhookRequest(payload, { "Stripe-Signature": sign(payload) }));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? "")).toEqual({ received: true });
    expect(response.headers?.["x-request-id"]).toBeTruthy();
    expect(queue.sent).toEqual([{ body: payload, attributes: { eventId: id, type: "payment_intent.succeeded" } }]);
  });

  it("decodes a base64-encoded body (as API Gateway sends some content types) before verifying", async () => {
    const payload = stripeEventJson("charge.refunded");
    const encoded = Buffer.from(payload, "utf8").toString("base64");
    const response = await invoke(
      handler,
      webhookRequest(encoded, { "stripe-signature": sign(payload), "content-type": "application/octet-stream" }, true),
    );
    expect(response.statusCode).toBe(200);
    expect(queue.sent.map((m) => m.body)).toEqual([payload]);
  });

  it("keeps non-ASCII bytes intact through base64 decoding", async () => {
    const payload = stripeEventJson("payment_intent.succeeded").replace('"usd"', '"usd", "description": "Café – 🎟"');
    const encoded = Buffer.from(payload, "utf8").toString("base64");
    const response = await invoke(handler, webhookRequest(encoded, { "stripe-signature": sign(payload) }, true));
    expect(response.statusCode).toBe(200);
    expect(queue.sent[0]?.body).toBe(payload);
  });

  it("rejects a signature made with another secret", async () => {
    const payload = stripeEventJson();
    await expectRejected(await invoke(handler, webhookRequest(payload, { "stripe-signature": sign(payload, { secret: "whsec_forged" }) })));
  });

  it("rejects a replayed request whose signed timestamp is older than 300 s", async () => {
    const payload = stripeEventJson();
    const stale = sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    await expectRejected(await invoke(handler, webhookRequest(payload, { "stripe-signature": stale })));
  });

  it("accepts a timestamp just inside the tolerance", async () => {
    const payload = stripeEventJson();
    const recent = sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 290 });
    expect((await invoke(handler, webhookRequest(payload, { "stripe-signature": recent }))).statusCode).toBe(200);
    expect(queue.sent).toHaveLength(1);
  });

  it("rejects a body altered after signing, even by whitespace", async () => {
    const payload = stripeEventJson();
    const signature = sign(payload);
    await expectRejected(
      await invoke(handler, webhookRequest(payload.replace('"amount": 2500', '"amount": 1'), { "stripe-signature": signature })),
    );
    await expectRejected(await invoke(handler, webhookRequest(JSON.stringify(JSON.parse(payload)), { "stripe-signature": signature })));
  });

  it("rejects a base64 body whose signature was computed over the encoded text", async () => {
    const payload = stripeEventJson();
    const encoded = Buffer.from(payload).toString("base64");
    await expectRejected(await invoke(handler, webhookRequest(encoded, { "stripe-signature": sign(encoded) }, true)));
  });

  it("rejects a missing or malformed Stripe-Signature header, and a missing body", async () => {
    const payload = stripeEventJson();
    await expectRejected(await invoke(handler, webhookRequest(payload, {})));
    await expectRejected(await invoke(handler, webhookRequest(payload, { "stripe-signature": "garbage" })));
    await expectRejected(await invoke(handler, webhookRequest(undefined, { "stripe-signature": sign("") })));
  });

  it("answers 500 (so Stripe retries) when the event cannot be queued, without leaking why", async () => {
    queue.failWith = new Error("queue down: secret internals");
    const payload = stripeEventJson();
    const response = await invoke(handler, webhookRequest(payload, { "stripe-signature": sign(payload) }));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain("secret internals");
    expect(JSON.parse(response.body ?? "")).toMatchObject({ status: 500, code: "internal_error" });
  });

  it("fails clearly when no queue is configured at all", async () => {
    setWebhookQueue(undefined);
    const payload = stripeEventJson();
    const response = await invoke(handler, webhookRequest(payload, { "stripe-signature": sign(payload) }));
    expect(response.statusCode).toBe(500);
    const { getWebhookQueue } = await import("@evently/functions/lib/queue");
    expect(() => getWebhookQueue()).toThrow(/WEBHOOK_QUEUE_URL.*setWebhookQueue/);
  });
});
