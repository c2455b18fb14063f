// What every crash test file shares: its own cluster and runtime child (crash-support.ts), the
// sweeps run from the test process until nothing moves, the ledger check, and crash-and-restart.
import { afterAll, beforeAll, expect } from "vitest";
import Stripe from "stripe";
import { createFieldCipher } from "@evently/core/payments/crypto";
import type { PaymentsDeps } from "@evently/core/payments/deps";
import { runDueTasks } from "@evently/core/payments/provider-tasks";
import { stripeGateway } from "@evently/functions/lib/stripe-gateway";
import { makeActor, type TestActor } from "../../support/fixtures";
import { publishRows, type FaultRow } from "../../support/fault-report";
import { checkLedger, sandboxBooks } from "../../support/ledger";
import { eventually } from "../../support/paid-event";
import { api, startCrashWorld, type Child, type CrashWorld } from "./crash-support";
import { ticketedEvent } from "./harness";

export interface CrashSuite {
  w: CrashWorld;
  /** The runtime currently running (replaced by every crash and restart). */
  child: Child;
  stripe: Stripe;
  org: TestActor;
  rows: FaultRow[];
  /** Arms `point=exit` in the running runtime, runs `trigger`, expects the SIGKILL, starts a clean runtime; returns what the client saw. */
  crashAt(point: string, trigger: (apiUrl: string) => Promise<{ status: number | string }>): Promise<string>;
  /** Restarts the runtime with these failpoints armed. */
  restart(failpoints?: string): Promise<void>;
  /** A buyer's order placed over HTTP and paid at the sandbox, its webhook processed. */
  paidTicket(
    buyer: TestActor,
    options?: { capacity?: number; waitlistEnabled?: boolean },
  ): Promise<{ eventId: string; ticketTypeId: string; orderId: string; paymentId: string }>;
  conclude(row: Omit<FaultRow, "violations" | "sweepFinished">, sweepFinished?: string): Promise<void>;
  stop(): Promise<void>;
}

async function startCrashSuite(): Promise<CrashSuite> {
  const w = await startCrashWorld();
  const deps: PaymentsDeps = {
    db: w.db,
    gateway: stripeGateway,
    cipher: createFieldCipher(process.env.DATA_KEY ?? "", process.env.BLIND_INDEX_KEY ?? ""),
    holdTtlSeconds: 900,
  };
  const base = new URL(w.sandboxUrl);
  const books = sandboxBooks(w.sandboxUrl);
  const post = (route: string, body: unknown = {}) =>
    fetch(`${w.sandboxUrl}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  /** Every event the sandbox emitted is processed (redelivered if a crash lost it), every task and refund done. */
  async function settle(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      await w.expireLeases();
      const swept = await runDueTasks(deps, { budgetMs: 20_000 });
      await post("/_sandbox/delivery/wait", { timeoutMs: 10_000 });
      const { data } = (await (await fetch(`${w.sandboxUrl}/_sandbox/events`)).json()) as { data: Array<{ event: { id: string } }> };
      const missing = async () => {
        const done = new Set(
          (await w.db.selectFrom("webhookEvents").select("providerEventId").where("status", "in", ["processed", "ignored"]).execute()).map(
            (r) => r.providerEventId,
          ),
        );
        return data.map((r) => r.event.id).filter((id) => !done.has(id));
      };
      // The queue may still be working on delivered events; what a crash lost, the provider sends again.
      const lost = await eventually(async () => ((await missing()).length === 0 ? [] : undefined), 3_000).catch(() => missing());
      for (const id of lost) await post(`/_sandbox/events/${id}/redeliver`);
      const refundsPending = (await books.refunds()).some((r) => r.status === "pending");
      if (swept.succeeded + swept.retried + swept.failed === 0 && lost.length === 0 && !refundsPending) return;
    }
    throw new Error("the sweeps did not come to a standstill");
  }

  const suite: CrashSuite = {
    w,
    child: await w.start(),
    stripe: new Stripe("sk_test_local", { host: base.hostname, port: Number(base.port), protocol: "http" }),
    org: await makeActor(w.db, { role: "organizer" }),
    rows: [],
    async restart(failpoints = "") {
      await suite.child.stop();
      suite.child = await w.start(failpoints);
    },
    async crashAt(point, trigger) {
      const armed = await suite.child.arm(`${point}=exit*1`);
      expect(armed.error).toBeUndefined();
      const answered = await trigger(suite.child.apiUrl);
      expect(await suite.child.exited).toBe("SIGKILL");
      suite.child = await w.start();
      return String(answered.status);
    },
    async paidTicket(buyer, options = {}) {
      const { eventId, ticketTypeId } = await ticketedEvent(w.db, suite.org, options);
      const placed = await api(
        suite.child.apiUrl,
        "POST",
        `/events/${eventId}/orders`,
        buyer,
        { ticketTypeId, quantity: 1 },
        `buy-${buyer.userId}`,
      );
      const payment = placed.body.payment as { id: string; providerPaymentId: string };
      await suite.stripe.paymentIntents.confirm(payment.providerPaymentId, { payment_method: "pm_card_visa" });
      await eventually(
        async () =>
          (await w.db.selectFrom("payments").select("status").where("id", "=", payment.id).executeTakeFirst())?.status === "completed",
      );
      return { eventId, ticketTypeId, orderId: (placed.body.order as { id: string }).id, paymentId: payment.id };
    },
    async conclude(row, sweepFinished = "runtime restarted; the sweeps settled everything") {
      await settle();
      const ledger = await checkLedger(w.db, deps.cipher, books);
      suite.rows.push({ ...row, sweepFinished, violations: ledger.violations.length });
      expect(ledger.violations).toEqual([]);
    },
    async stop() {
      await suite.child.stop();
      await w.destroy();
    },
  };
  return suite;
}

/** Starts a suite for this test file before its tests, publishes its rows and stops it after them. */
export function useCrashSuite(testFile: string, ready: (suite: CrashSuite) => void): void {
  let suite: CrashSuite | undefined;
  beforeAll(async () => {
    suite = await startCrashSuite();
    ready(suite);
  });
  afterAll(async () => {
    if (!suite) return;
    publishRows(testFile, suite.rows);
    await suite.stop();
  });
}
