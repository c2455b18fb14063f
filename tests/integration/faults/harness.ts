// The in-process fault harness: the payments harness (real Postgres, the sandbox behind the real
// Stripe gateway, a webhook pump), plus what every fault scenario ends with — the sweeps run to a
// standstill, then the ledger invariant and invariant 8, and one row for docs/RELIABILITY.md.
import { sql } from "kysely";
import { expect } from "vitest";
import type { Actor } from "@evently/core/auth/actor";
import type { Db } from "@evently/core/db/client";
import type { IdempotencyRequest } from "@evently/core/idempotency";
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { runDueTasks } from "@evently/core/payments/provider-tasks";
import { disableFailpoints } from "@evently/core/shared/failpoints";
import { toProblem } from "@evently/functions/lib/problem";
import { inDays, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { checkLedger, sandboxBooks, type ProviderBooks } from "../../support/ledger";
import type { FaultRow } from "../../support/fault-report";
import { startPaymentsHarness, type PaymentsHarness } from "../payments/harness";

export interface FaultHarness extends PaymentsHarness {
  books: ProviderBooks;
  rows: FaultRow[];
  /** Runs the sweeps until nothing is left to do: due provider tasks, refunds at the provider, webhooks. */
  settle(options?: { expireHolds?: boolean }): Promise<string>;
  /** Settles, checks the ledger and invariant 8, records the scenario's row; fails the test on a violation. */
  conclude(row: Omit<FaultRow, "violations" | "sweepFinished">, options?: { expireHolds?: boolean }): Promise<void>;
}

export async function startFaultHarness(): Promise<FaultHarness> {
  const h = await startPaymentsHarness();
  const books = sandboxBooks(h.sandbox.url);
  const rows: FaultRow[] = [];

  async function settle(options: { expireHolds?: boolean } = {}): Promise<string> {
    disableFailpoints();
    h.sandbox.faults.clear();
    const done = { tasks: 0, refunds: 0, events: 0, holds: 0 };
    for (let round = 0; round < 20; round++) {
      // Time passes: backoffs run out and the leases of attempts that died expire.
      await h.t.db
        .updateTable("providerTasks")
        .set({ nextAttemptAt: sql`now()`, lockedUntil: null })
        .where("status", "=", "pending")
        .execute();
      const holds = options.expireHolds ? (await expireHolds(h.deps, { batchSize: 10 })).expired : 0;
      const swept = await runDueTasks(h.deps, { budgetMs: 20_000 });
      const pendingRefunds = (await books.refunds()).filter((r) => r.status === "pending");
      for (const r of pendingRefunds) h.sandbox.completeRefund(r.id);
      const events = await h.drain();
      done.tasks += swept.succeeded;
      done.refunds += pendingRefunds.length;
      done.events += events.length;
      done.holds += holds;
      if (holds + swept.succeeded + swept.retried + swept.failed + pendingRefunds.length + events.length === 0) {
        return [
          done.holds && `${done.holds} hold(s) expired`,
          `${done.tasks} provider task(s)`,
          done.refunds && `${done.refunds} refund(s) settled`,
          `${done.events} webhook(s)`,
        ]
          .filter(Boolean)
          .join(", ");
      }
    }
    throw new Error("the sweeps did not come to a standstill");
  }

  return {
    ...h,
    books,
    rows,
    settle,
    async conclude(row, options) {
      const sweepFinished = await settle(options);
      const ledger = await checkLedger(h.t.db, h.deps.cipher, books);
      rows.push({ ...row, sweepFinished, violations: ledger.violations.length });
      expect(ledger.violations).toEqual([]);
    },
  };
}

/**
 * An Idempotency-Key as the HTTP layer builds it. The lease is the attempt's time left: 0 s by
 * default, as if a failed attempt's invocation had already ended when the client retries.
 */
export const keyFor = (actor: Actor, scope: string, key: string, leaseSeconds = 0): IdempotencyRequest => ({
  userId: actor.userId,
  scope,
  key,
  requestHash: `hash-${key}`,
  leaseSeconds,
});

/** How the HTTP layer would answer an error: "502 payment_provider_error". */
export function answered(error: unknown): string {
  const p = toProblem(error, "req");
  return `${p.status} ${p.code}`;
}

/** Awaits `fn` and says what the client saw: its answer or the problem it got. */
export async function outcome<T>(fn: () => Promise<T>, ok = "200"): Promise<{ saw: string; value?: T; error?: unknown }> {
  try {
    return { saw: ok, value: await fn() };
  } catch (error) {
    return { saw: answered(error), error };
  }
}

export async function ticketedEvent(
  db: Db,
  org: TestActor,
  options: { capacity?: number; waitlistEnabled?: boolean; priceMinor?: number } = {},
) {
  const event = await makeEvent(db, org, {
    kind: "ticketed",
    capacity: options.capacity ?? 20,
    waitlistEnabled: options.waitlistEnabled ?? false,
    startsAt: inDays(20),
  });
  const type = await makeTicketType(db, org, event.id, { priceMinor: options.priceMinor ?? 2500 });
  return { eventId: event.id, ticketTypeId: type.id };
}
