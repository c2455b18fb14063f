// The sandbox's state files: snapshot plus journal, read back in order, tolerant of a write cut short.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStripeSandbox } from "@evently/stripe-sandbox";
import { type Snapshot, StateFiles } from "@evently/stripe-sandbox/persistence";
import { SECRET, startReceiver } from "./receiver";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "stripe-state-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const EMPTY_STATE = { paymentIntents: [], charges: [], refunds: [], paymentMethods: [], cards: [], disputes: [], events: [] };
function step(piId: string, status: string): Snapshot {
  return {
    state: { ...EMPTY_STATE, paymentIntents: [[piId, { id: piId, status }]] },
    idempotency: [],
    deliveries: { attempts: [], outstanding: [] },
  };
}

describe("stripe sandbox: state files", () => {
  it("start empty, then read the snapshot followed by each journal line in order", () => {
    const files = new StateFiles(dir);
    expect(files.read()).toEqual([]);
    files.compact(step("pi_1", "requires_payment_method"));
    files.append(step("pi_1", "succeeded"));
    files.append(step("pi_2", "canceled"));
    const read = files.read();
    expect(read.map((s) => s.state.paymentIntents[0]?.[1])).toEqual([
      { id: "pi_1", status: "requires_payment_method" },
      { id: "pi_1", status: "succeeded" },
      { id: "pi_2", status: "canceled" },
    ]);
  });

  it("drop a journal line whose append never finished", () => {
    const files = new StateFiles(dir);
    files.append(step("pi_1", "succeeded"));
    appendFileSync(path.join(dir, "journal.jsonl"), '{"state":{"paymentIntents":[["pi_');
    expect(new StateFiles(dir).read()).toHaveLength(1);
  });

  it("fold the journal into the snapshot on compaction, and ask for it every thousand changes", () => {
    const files = new StateFiles(dir);
    let due = 0;
    for (let i = 1; i <= 1_000; i++) if (files.append(step(`pi_${i}`, "succeeded"))) due = i;
    expect(due).toBe(1_000);
    files.compact(step("pi_all", "succeeded"));
    expect(readFileSync(path.join(dir, "journal.jsonl"), "utf8")).toBe("");
    expect(files.read()).toEqual([{ version: 1, ...step("pi_all", "succeeded") }]);
  });

  it("refuse a snapshot of another version instead of misreading it", () => {
    writeFileSync(path.join(dir, "state.json"), JSON.stringify({ version: 99, ...step("pi_1", "succeeded") }));
    expect(() => new StateFiles(dir).read()).toThrow(/version 99, expected 1/);
  });
});

describe("stripe sandbox: restart on the same state directory", () => {
  it("serves exactly what it served before, including changes made in place by later requests and timers", async () => {
    const receiver = await startReceiver();
    const options = { webhookSecret: SECRET, webhookUrl: receiver.url, stateDir: dir, refundDelayMs: 20 };
    const first = await startStripeSandbox(options);
    const stripe = new Stripe("sk_test_restart", { host: "127.0.0.1", port: first.port, protocol: "http", maxNetworkRetries: 0 });
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: "eur", metadata: { a: "1" } });
    await stripe.paymentIntents.update(pi.id, { description: "updated later", metadata: { b: "2" } });
    await stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    const other = await stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    await stripe.paymentIntents.cancel(other.id);
    await first.waitForDeliveries();
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe("succeeded");
    const read = async (client: Stripe) => ({
      pi: await client.paymentIntents.retrieve(pi.id, { expand: ["latest_charge"] }),
      other: await client.paymentIntents.retrieve(other.id),
      refund: await client.refunds.retrieve(refund.id),
    });
    const strip = ({ lastResponse: _ignored, ...rest }: Record<string, unknown>) => rest;
    const before = await read(stripe);
    const events = first.events();
    await first.stop();

    const second = await startStripeSandbox(options);
    const again = new Stripe("sk_test_restart", { host: "127.0.0.1", port: second.port, protocol: "http", maxNetworkRetries: 0 });
    const after = await read(again);
    for (const name of ["pi", "other", "refund"] as const) expect(strip(after[name] as never), name).toEqual(strip(before[name] as never));
    expect(second.events()).toEqual(events);
    expect(events.every((e) => e.delivered && e.event.pending_webhooks === 0)).toBe(true);
    await second.stop();
    await receiver.stop();
  });
});
