// Stripe → POST /webhooks/stripe → local queue (pg-boss) → webhook processor → webhook inbox, over
// HTTP against the local runtime: the wiring `npm start` uses.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
beforeAll(async () => (rt = await startTestRuntime()));
afterAll(() => rt.stop());

const secret = process.env.STRIPE_WEBHOOK_SECRET ?? "whsec_local_dev";
function signedEvent(type: string) {
  const id = `evt_e2e_${Date.now()}_${Math.random().toString(36).slice(2)}`;
  const body = JSON.stringify(
    { id, object: "event", type, created: Math.floor(Date.now() / 1000), data: { object: { id: "cus_1", object: "customer" } } },
    null,
    2,
  );
  return {
    id,
    body,
    post: () =>
      rt.call("POST", "/webhooks/stripe", {
        body,
        headers: { "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload: body, secret }) },
      }),
  };
}
const inbox = (id: string) => rt.db.selectFrom("webhookEvents").selectAll().where("providerEventId", "=", id).execute();

describe("webhook pipeline (local runtime)", () => {
  it("queues a signed event, the processor records it once, and a redelivery changes nothing", async () => {
    const event = signedEvent("customer.created");
    const res = await event.post();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    await rt.webhookQueue.idle();
    const [row, ...rest] = await inbox(event.id);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ type: "customer.created", status: "ignored", attempts: 1 });

    expect((await event.post()).status).toBe(200);
    await rt.webhookQueue.idle();
    expect(await inbox(event.id)).toEqual([row]);
    expect(await rt.webhookQueue.deadLetters()).toEqual([]);
  });

  it("answers 400 to a forged signature and nothing reaches the inbox", async () => {
    const event = signedEvent("customer.created");
    const res = await rt.call("POST", "/webhooks/stripe", {
      body: event.body,
      headers: { "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload: event.body, secret: "whsec_forged" }) },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "invalid_signature" });
    await rt.webhookQueue.idle();
    expect(await inbox(event.id)).toEqual([]);
  });
});
