// Webhook delivery: duplicates, out-of-order release, stale and tampered signatures, retries, and a clean stop.
import { execFile } from "node:child_process";
import http from "node:http";
import { type AddressInfo, type Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
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

async function succeededEvent(): Promise<{ pi: Stripe.PaymentIntent; eventId: string }> {
  const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
  await h.sandbox.waitForDeliveries();
  const record = h.sandbox.events({ type: "payment_intent.succeeded" }).find((r) => r.event.data.object.id === pi.id);
  if (!record) throw new Error("no payment_intent.succeeded event");
  return { pi, eventId: record.event.id };
}

describe("stripe sandbox: webhook delivery", () => {
  it("redelivers an event as a verified duplicate with the same id", async () => {
    const { eventId } = await succeededEvent();
    const attempt = await h.sandbox.redeliver(eventId);
    expect(attempt).toMatchObject({ eventId, kind: "redelivery", status: 200, ok: true });
    const ids = h.receiver.verified().map((e) => e.id);
    expect(ids).toEqual([eventId, eventId]);
    expect(h.sandbox.events()[0]?.deliveries.map((d) => d.kind)).toEqual(["initial", "redelivery"]);
  });

  it("holds events while paused and releases them in reverse order", async () => {
    h.sandbox.pauseDelivery();
    const created: string[] = [];
    for (const amount of [1000, 2000, 3000]) {
      const pi = await h.stripe.paymentIntents.create({ amount, currency: "usd" });
      await h.stripe.paymentIntents.cancel(pi.id);
      created.push(pi.id);
    }
    await h.sandbox.waitForDeliveries();
    expect(h.receiver.received).toHaveLength(0);
    h.sandbox.resumeDelivery({ order: "reverse" });
    await h.sandbox.waitForDeliveries();
    const delivered = h.receiver.verified().map((e) => (e.data.object as Stripe.PaymentIntent).id);
    expect(delivered).toEqual([...created].reverse());
  });

  it("signs a stale delivery with an old timestamp, which the receiver rejects", async () => {
    const { eventId } = await succeededEvent();
    const attempt = await h.sandbox.deliverStale(eventId, 600);
    expect(attempt.signatureTimestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) - 600);
    expect(attempt).toMatchObject({ kind: "stale", status: 400, ok: false });
    const last = h.receiver.received.at(-1);
    expect(last?.verified).toBe(false);
    expect(last?.error).toMatch(/tolerance/i);
    // The signature itself is genuine: only the age makes it fail.
    const event = await new Stripe("sk_test_x").webhooks.constructEventAsync(
      last?.rawBody ?? "",
      last?.signature ?? "",
      "whsec_sandbox_test",
      3600,
    );
    expect(event.id).toBe(eventId);
  });

  it("alters the body after signing, which the receiver rejects", async () => {
    const { eventId } = await succeededEvent();
    const attempt = await h.sandbox.deliverTampered(eventId);
    expect(attempt).toMatchObject({ kind: "tampered", status: 400, ok: false });
    const last = h.receiver.received.at(-1);
    expect(last?.verified).toBe(false);
    expect(last?.error).toMatch(/No signatures found matching the expected signature/);
    expect(JSON.parse(last?.rawBody ?? "{}")).toMatchObject({ id: eventId, data: { object: { amount: 10001 } } });
    await h.sandbox.waitForDeliveries();
    expect(h.sandbox.events()[0]?.deliveries.filter((d) => d.kind === "tampered")).toHaveLength(1);
  });

  it("retries with growing delays until the receiver answers 2xx", async () => {
    h.receiver.respondWith((_event, nth) => (nth < 2 ? 503 : 200));
    await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await h.sandbox.waitForDeliveries();
    const [record] = h.sandbox.events();
    expect(record?.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    expect(record?.delivered).toBe(true);
    // Backoff doubles from the harness's 20 ms: each gap is at least its scheduled delay.
    const times = record?.deliveries.map((d) => Date.parse(d.at)) ?? [];
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(19);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(39);
  });

  it("gives up after the configured attempts and retries an unreachable target", async () => {
    h.receiver.respondWith(() => 500);
    await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await h.sandbox.waitForDeliveries();
    expect(h.sandbox.events()[0]?.deliveries.map((d) => d.status)).toEqual([500, 500, 500, 500]);
    expect(h.sandbox.events()[0]?.delivered).toBe(false);

    h.receiver.respondWith(() => 200);
    h.sandbox.setWebhookUrl("http://127.0.0.1:1/unreachable");
    await h.stripe.paymentIntents.create({ amount: 2000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await new Promise((resolve) => setTimeout(resolve, 10));
    h.sandbox.setWebhookUrl(h.receiver.url);
    await h.sandbox.waitForDeliveries();
    const second = h.sandbox.events()[1];
    expect(second?.deliveries[0]).toMatchObject({ status: null, ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(second?.delivered).toBe(true);
  });

  it("holds events until a webhook URL is configured", async () => {
    h.sandbox.setWebhookUrl(null);
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    await h.stripe.paymentIntents.cancel(pi.id);
    await h.sandbox.waitForDeliveries();
    expect(h.receiver.received).toHaveLength(0);
    h.sandbox.setWebhookUrl(h.receiver.url);
    await h.sandbox.waitForDeliveries();
    expect(h.receiver.verified().map((e) => e.type)).toEqual(["payment_intent.canceled"]);
  });

  it("lets the process exit after stop() even with a delivery in flight and timers pending", async () => {
    const sockets = new Set<Socket>();
    const hang = http.createServer(() => {});
    hang.on("connection", (s) => sockets.add(s));
    await new Promise<void>((resolve) => hang.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/`;
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "exit-after-stop.ts");
    const started = Date.now();
    const stdout = await new Promise<string>((resolve, reject) => {
      const args = ["--import", "tsx", script];
      execFile(process.execPath, args, { env: { ...process.env, WEBHOOK_URL: url }, timeout: 15_000 }, (error, out) =>
        error ? reject(new Error(error.message, { cause: error })) : resolve(out),
      );
    });
    expect(stdout).toContain("stopped");
    expect(Date.now() - started).toBeLessThan(15_000);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => hang.close(() => resolve()));
  });
});
