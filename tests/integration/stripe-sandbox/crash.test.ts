// State survives a SIGKILL of the sandbox's process: objects, idempotent replays, and deliveries still owed.
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { type Receiver, SECRET, startReceiver } from "./receiver";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "run-until-killed.ts");
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const fn of cleanups.splice(0)) await fn();
});

// Starts the sandbox in its own process and resolves with its port once it listens.
function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`sandbox child did not start: ${out}`)), 20_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const match = /ready (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    });
    child.once("exit", (code, signal) => reject(new Error(`sandbox child exited early (${code ?? signal})`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const client = (port: number) => new Stripe("sk_test_crash", { host: "127.0.0.1", port, protocol: "http", maxNetworkRetries: 0 });

describe("stripe sandbox: state across a crash", () => {
  it("keeps objects and idempotency keys, and sends the deliveries it still owed after a SIGKILL", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "stripe-sandbox-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const receiver: Receiver = await startReceiver();
    cleanups.push(() => receiver.stop());
    const env = { STATE_DIR: dir, WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET };

    // First life: the product is down (503), refunds are held pending, retries are a minute away.
    receiver.respondWith(() => 503);
    const first = await startChild({ ...env, REFUND_DELAY_MS: "Infinity" });
    const stripe = client(first.port);
    const piParams = { amount: 4000, currency: "usd", metadata: { paymentId: "pay_crash" } };
    const created = await stripe.paymentIntents.create(piParams, { idempotencyKey: "payment-pay_crash" });
    const confirmed = await stripe.paymentIntents.confirm(created.id, { payment_method: "pm_card_visa" });
    const refundParams = { payment_intent: created.id, amount: 1500 };
    const refund = await stripe.refunds.create(refundParams, { idempotencyKey: "refund-crash" });
    expect(refund.status).toBe("pending");
    await until(() => receiver.verified().length === 3, "the first (failed) delivery of each event");
    const owed = receiver.verified().map((e) => `${e.type} ${e.id}`);
    await kill(first.child);

    // Writes cut short by a kill: a partial journal line and a partial temporary snapshot are ignored.
    appendFileSync(path.join(dir, "journal.jsonl"), '{"state":{"paymentIntents":[["pi_partial"');
    writeFileSync(path.join(dir, "state.json.tmp"), '{"version":1,"state":{"paymentIn');

    // Second life on the same directory: the product answers again, refunds settle quickly.
    receiver.respondWith(() => 200);
    const second = await startChild({ ...env, REFUND_DELAY_MS: "50" });
    const again = client(second.port);
    expect(await again.paymentIntents.retrieve(created.id)).toMatchObject({ status: "succeeded", latest_charge: confirmed.latest_charge });
    const replayed = await again.paymentIntents.create(piParams, { idempotencyKey: "payment-pay_crash" });
    expect(replayed).toMatchObject({ id: created.id, client_secret: created.client_secret });
    expect(replayed.lastResponse.headers["idempotent-replayed"]).toBe("true");
    const refundReplay = await again.refunds.create(refundParams, { idempotencyKey: "refund-crash" });
    expect(refundReplay.id).toBe(refund.id);
    expect(refundReplay.lastResponse.headers["idempotent-replayed"]).toBe("true");

    // Every delivery owed before the crash arrives (same event ids), and the refund it left pending completes.
    await until(() => receiver.received.filter((r) => r.status === 200).length >= 4, "the owed deliveries and refund.updated");
    const delivered = receiver.received.filter((r) => r.status === 200).map((r) => `${r.event?.type} ${r.event?.id}`);
    expect(delivered.slice(0, 3).sort()).toEqual([...owed].sort());
    expect(owed.map((line) => line.split(" ")[0]).sort()).toEqual(["charge.refunded", "payment_intent.succeeded", "refund.created"]);
    expect(delivered.some((line) => line.startsWith("refund.updated "))).toBe(true);
    expect((await again.refunds.retrieve(refund.id)).status).toBe("succeeded");
    expect((await again.charges.retrieve(confirmed.latest_charge as string)).amount_refunded).toBe(1500);
    await kill(second.child);
  });
});
