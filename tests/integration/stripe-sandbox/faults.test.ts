// Faults on demand, observed as the real Stripe SDK sees them: error classes, dropped and unanswered requests, counts and windows.
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./receiver";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

// The SDK with explicit retry and timeout settings, so each test knows what the client does on its own.
function client(opts: { maxNetworkRetries?: number; timeout?: number } = {}): Stripe {
  return new Stripe("sk_test_faults", {
    host: "127.0.0.1",
    port: h.sandbox.port,
    protocol: "http",
    maxNetworkRetries: opts.maxNetworkRetries ?? 0,
    timeout: opts.timeout ?? 10_000,
  });
}

async function failure(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  return promise.then(
    () => Promise.reject(new Error("expected the call to fail")),
    (error: unknown) => error as Stripe.errors.StripeError,
  );
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const paid = (stripe: Stripe) =>
  stripe.paymentIntents.create({ amount: 5000, currency: "usd", payment_method: "pm_card_visa", confirm: true });

describe("stripe sandbox: faults", () => {
  it.each([
    [429, Stripe.errors.StripeRateLimitError],
    [500, Stripe.errors.StripeAPIError],
    [503, Stripe.errors.StripeAPIError],
  ] as const)("answers %i in Stripe's error shape for the next `count` requests only", async (status, errorClass) => {
    const stripe = client();
    h.sandbox.faults.inject({ endpoint: "POST /v1/payment_intents", kind: "error", status, count: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await failure(stripe.paymentIntents.create({ amount: 1000, currency: "usd" }));
      expect(error).toBeInstanceOf(errorClass);
      expect(error.statusCode).toBe(status);
    }
    await expect(stripe.paymentIntents.create({ amount: 1000, currency: "usd" })).resolves.toMatchObject({
      status: "requires_payment_method",
    });
    expect(h.sandbox.faults.list()).toMatchObject([{ kind: "error", status, count: 2, hits: 2, active: false }]);
  });

  it("matches the endpoint pattern only: other paths and methods are untouched", async () => {
    const stripe = client();
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    h.sandbox.faults.inject({ endpoint: "POST /v1/payment_intents/:id/cancel", kind: "error", status: 503 });
    await expect(stripe.paymentIntents.retrieve(pi.id)).resolves.toMatchObject({ id: pi.id });
    await expect(stripe.paymentIntents.update(pi.id, { description: "x" })).resolves.toMatchObject({ description: "x" });
    expect((await failure(stripe.paymentIntents.cancel(pi.id))).statusCode).toBe(503);
    // Nothing was applied: the intent is still open.
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe("requires_payment_method");
    expect(h.sandbox.faults.list()[0]?.hits).toBe(1);
  });

  it("lets the SDK's own retries through once the count is used up", async () => {
    h.sandbox.faults.inject({ endpoint: "POST /v1/payment_intents", kind: "error", status: 500, count: 2 });
    const pi = await client({ maxNetworkRetries: 2 }).paymentIntents.create({ amount: 1000, currency: "usd" });
    expect(pi.status).toBe("requires_payment_method");
    expect(h.sandbox.faults.list()[0]).toMatchObject({ hits: 2, active: false });
  });

  it("fails every matching request inside a time window and none after it", async () => {
    const stripe = client();
    h.sandbox.faults.inject({ endpoint: "*", kind: "error", status: 503, forMs: 300 });
    for (let i = 0; i < 3; i++)
      expect((await failure(stripe.paymentIntents.create({ amount: 1000, currency: "usd" }))).statusCode).toBe(503);
    await until(() => h.sandbox.faults.list()[0]?.active === false, "the window to close");
    await expect(stripe.paymentIntents.create({ amount: 1000, currency: "usd" })).resolves.toMatchObject({ object: "payment_intent" });
    expect(h.sandbox.faults.list()[0]?.hits).toBe(3);
  });

  it("drops connections without an answer: StripeConnectionError, nothing applied", async () => {
    const stripe = client();
    const pi = await paid(stripe);
    h.sandbox.faults.inject({ endpoint: "POST /v1/refunds", kind: "drop" });
    const error = await failure(stripe.refunds.create({ payment_intent: pi.id, amount: 1000 }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    // The SDK retries a closed connection once even with retries off; both attempts were dropped.
    expect(h.sandbox.faults.list()[0]?.hits).toBe(2);
    h.sandbox.faults.clear();
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge.amount_refunded).toBe(0);
  });

  it("adds latency to matching requests only", async () => {
    const stripe = client();
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    h.sandbox.faults.inject({ endpoint: "GET /v1/payment_intents/:id", kind: "latency", latencyMs: 250, count: 1 });
    await stripe.paymentIntents.update(pi.id, { description: "not delayed" });
    expect(h.sandbox.faults.list()[0]?.hits).toBe(0);
    const started = performance.now();
    await stripe.paymentIntents.retrieve(pi.id);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(h.sandbox.faults.list()[0]).toMatchObject({ hits: 1, active: false });
  });

  it("never answers a timed-out request, applies nothing, and ends it when cleared", async () => {
    const pi = await client().paymentIntents.create({ amount: 1000, currency: "usd" });
    h.sandbox.faults.inject({ endpoint: "POST /v1/payment_intents/:id/cancel", kind: "timeout" });
    const short = await failure(client({ timeout: 300 }).paymentIntents.cancel(pi.id));
    expect(short).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(short.message).toMatch(/timeout/);
    expect((await client().paymentIntents.retrieve(pi.id)).status).toBe("requires_payment_method");

    // A patient client waits until the fault is cleared; the connection then closes without an
    // answer, and the SDK's one retry of a closed connection goes through.
    const patient = client({ timeout: 60_000 }).paymentIntents.cancel(pi.id);
    await until(() => h.sandbox.faults.list()[0]?.hits === 2, "the second request to be held");
    h.sandbox.faults.clear();
    await expect(patient).resolves.toMatchObject({ status: "canceled" });
    expect(h.sandbox.faults.list()[0]).toMatchObject({ hits: 2, cleared: true });
  });

  it("timeout-after-apply: the refund happens, the client never hears, and a retry with the same key gets that refund", async () => {
    const stripe = client();
    const pi = await paid(stripe);
    h.sandbox.faults.inject({ endpoint: "POST /v1/refunds", kind: "timeout-after-apply", count: 1 });
    const params = { payment_intent: pi.id, amount: 1500 };
    const lost = await failure(client({ timeout: 300 }).refunds.create(params, { idempotencyKey: "refund-r1" }));
    expect(lost).toBeInstanceOf(Stripe.errors.StripeConnectionError);

    const retried = await stripe.refunds.create(params, { idempotencyKey: "refund-r1" });
    expect(retried.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).amount_refunded).toBe(1500);
    await h.sandbox.waitForDeliveries();
    expect(h.sandbox.events({ type: "refund.created" })).toHaveLength(1);
  });

  it("timeout-after-apply under the SDK's own retry: its generated key makes the second attempt a replay", async () => {
    h.sandbox.faults.inject({ endpoint: "POST /v1/payment_intents", kind: "timeout-after-apply", count: 1 });
    const pi = await client({ maxNetworkRetries: 1, timeout: 300 }).paymentIntents.create({ amount: 1000, currency: "usd" });
    expect(pi.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(h.sandbox.faults.list()[0]).toMatchObject({ hits: 1, active: false });
  });

  it("fails webhook deliveries for a count, then the normal retries get through", async () => {
    h.sandbox.faults.inject({ endpoint: "webhook", kind: "drop", count: 2 });
    await paid(client());
    await h.sandbox.waitForDeliveries();
    const [record] = h.sandbox.events({ type: "payment_intent.succeeded" });
    expect(record?.deliveries.map((d) => d.ok)).toEqual([false, false, true]);
    expect(record?.deliveries[0]?.error).toMatch(/sandbox fault/);
    expect(h.receiver.verified().map((e) => e.type)).toEqual(["payment_intent.succeeded"]);
  });

  it("refuses fault specs it cannot honour", () => {
    const inject = (spec: object) => () => h.sandbox.faults.inject(spec as Parameters<typeof h.sandbox.faults.inject>[0]);
    expect(inject({ endpoint: "PATCH /v1/refunds", kind: "error" })).toThrow(/Invalid endpoint/);
    expect(inject({ endpoint: "POST /v1/refunds", kind: "explode" })).toThrow(/Invalid kind/);
    expect(inject({ endpoint: "POST /v1/refunds", kind: "error", status: 418 })).toThrow(/Invalid status/);
    expect(inject({ endpoint: "POST /v1/refunds", kind: "latency" })).toThrow(/latencyMs/);
    expect(inject({ endpoint: "POST /v1/refunds", kind: "drop", count: 0 })).toThrow(/count/);
    expect(inject({ endpoint: "webhook", kind: "timeout" })).toThrow(/Webhook faults/);
    expect(h.sandbox.faults.list()).toEqual([]);
  });
});

describe("stripe sandbox: fault hooks over HTTP", () => {
  async function hook(path: string, body?: unknown, method = "POST") {
    const res = await fetch(`${h.sandbox.url}/_sandbox/${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it("injects, lists and clears faults for a sandbox in another process", async () => {
    const injected = await hook("faults", { endpoint: "POST /v1/refunds", kind: "error", status: 503 });
    expect(injected).toMatchObject({
      status: 200,
      json: { id: expect.stringMatching(/^fault_/), kind: "error", status: 503, active: true },
    });
    const stripe = client();
    const pi = await paid(stripe);
    expect((await failure(stripe.refunds.create({ payment_intent: pi.id }))).statusCode).toBe(503);
    expect((await hook("faults", undefined, "GET")).json).toMatchObject({ data: [{ hits: 1, active: true }] });
    expect((await hook("faults/clear")).json).toEqual({ cleared: true });
    await expect(stripe.refunds.create({ payment_intent: pi.id })).resolves.toMatchObject({ object: "refund" });
    expect((await hook("faults", undefined, "GET")).json).toMatchObject({ data: [{ hits: 1, active: false, cleared: true }] });
    expect(await hook("faults", { endpoint: "POST /v1/refunds", kind: "nope" })).toMatchObject({
      status: 400,
      json: { error: { param: "kind" } },
    });
  });
});
