// The /_sandbox/... HTTP hooks, as an e2e test in another process would drive them.
import type Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./receiver";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

async function hook<T = Record<string, unknown>>(path: string, body?: unknown, method = "POST"): Promise<{ status: number; json: T }> {
  const res = await fetch(`${h.sandbox.url}/_sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

interface EventList {
  data: Array<{ event: Stripe.Event; deliveries: Array<{ kind: string; status: number | null }>; delivered: boolean }>;
}

describe("stripe sandbox: HTTP test hooks", () => {
  it("lists events and redelivers, stale-signs and tampers them on request", async () => {
    await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    expect((await hook("delivery/wait", { timeoutMs: 5000 })).json).toEqual({ idle: true });
    const list = await hook<EventList>("events?type=payment_intent.succeeded", undefined, "GET");
    expect(list.json.data).toHaveLength(1);
    const id = list.json.data[0]?.event.id ?? "";
    expect(list.json.data[0]).toMatchObject({ delivered: true, deliveries: [{ kind: "initial", status: 200 }] });

    expect((await hook(`events/${id}/redeliver`)).json).toMatchObject({ ok: true, kind: "redelivery" });
    expect((await hook(`events/${id}/stale`, { secondsAgo: 900 })).json).toMatchObject({ ok: false, status: 400 });
    expect((await hook(`events/${id}/tampered`)).json).toMatchObject({ ok: false, status: 400 });
    expect(h.receiver.received.map((r) => r.verified)).toEqual([true, true, false, false]);

    const one = await hook<EventList["data"][number]>(`events/${id}`, undefined, "GET");
    expect(one.json.deliveries.map((d) => d.kind)).toEqual(["initial", "redelivery", "stale", "tampered"]);
    expect((await hook("events/evt_missing", undefined, "GET")).status).toBe(404);
    expect((await hook("no/such/hook")).status).toBe(404);
  });

  it("pauses and releases deliveries in reverse order", async () => {
    await hook("delivery/pause");
    const first = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    await h.stripe.paymentIntents.cancel(first.id);
    await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await hook("delivery/wait");
    expect(h.receiver.received).toHaveLength(0);
    expect((await hook("delivery/resume", { order: "reverse" })).json).toEqual({ paused: false, order: "reverse" });
    await hook("delivery/wait");
    expect(h.receiver.verified().map((e) => e.type)).toEqual(["payment_intent.succeeded", "payment_intent.canceled"]);
    expect((await hook("delivery/resume", { order: "sideways" })).status).toBe(400);
  });

  it("holds, completes and fails refunds, raises disputes and switches the webhook URL", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 4000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    expect((await hook("refunds/hold", { hold: true })).json).toEqual({ held: true });
    const a = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    const b = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    await hook("delivery/wait");
    expect((await h.stripe.refunds.retrieve(a.id)).status).toBe("pending");
    expect((await hook(`refunds/${a.id}/complete`)).json).toMatchObject({ id: a.id, status: "succeeded" });
    expect((await hook(`refunds/${b.id}/fail`, { failureReason: "lost_or_stolen_card" })).json).toMatchObject({
      status: "failed",
      failure_reason: "lost_or_stolen_card",
    });
    expect((await hook(`refunds/${b.id}/complete`)).status).toBe(400);

    await hook("refunds/hold", { hold: false });
    const c = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    await hook("delivery/wait");
    expect((await h.stripe.refunds.retrieve(c.id)).status).toBe("succeeded");

    expect((await hook(`payment_intents/${pi.id}/dispute`, { reason: "fraudulent" })).json).toMatchObject({
      object: "dispute",
      status: "needs_response",
    });
    await hook("delivery/wait");
    await hook("webhook_url", { url: null });
    await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    await hook("delivery/wait");
    const before = h.receiver.received.length;
    await hook("webhook_url", { url: h.receiver.url });
    await hook("delivery/wait");
    expect(h.receiver.received.length).toBe(before + 1);
    expect(h.receiver.received.every((r) => r.verified)).toBe(true);
  });
});
