// The ledger invariant and invariant 8, checked after every fault scenario: what the provider
// holds agrees with our rows, no seat or ticket exists without its money, no request answered twice.
import { sql } from "kysely";
import Stripe from "stripe";
import type { Db } from "@evently/core/db/client";
import type { FieldCipher } from "@evently/core/payments/crypto";
import type { StripeEvent } from "@evently/stripe-sandbox";

/** The provider's side of the books, read from a Stripe sandbox (in this process or another) over HTTP. */
export interface ProviderBooks {
  intent(id: string): Promise<{ status: string; amountReceived: number }>;
  /** Every refund the provider knows, in its latest state. */
  refunds(): Promise<Array<{ id: string; paymentIntent: string; amount: number; status: string; ourRefundId: string | null }>>;
}

export function sandboxBooks(sandboxUrl: string): ProviderBooks {
  const base = new URL(sandboxUrl);
  const stripe = new Stripe("sk_test_ledger", { host: base.hostname, port: Number(base.port), protocol: "http", maxNetworkRetries: 2 });
  return {
    async intent(id) {
      const intent = await stripe.paymentIntents.retrieve(id);
      return { status: intent.status, amountReceived: intent.amount_received };
    },
    async refunds() {
      const res = await fetch(`${sandboxUrl}/_sandbox/events`);
      const { data } = (await res.json()) as { data: Array<{ event: StripeEvent }> };
      const latest = new Map<
        string,
        { id: string; payment_intent: string; amount: number; status: string; metadata?: Record<string, string> }
      >();
      for (const { event } of data) {
        const object = event.data.object as { object?: string; id: string };
        if (object.object === "refund") latest.set(object.id, object as never);
      }
      return [...latest.values()].map((r) => ({
        id: r.id,
        paymentIntent: r.payment_intent,
        amount: r.amount,
        status: r.status,
        ourRefundId: r.metadata?.refundId ?? null,
      }));
    },
  };
}

export interface LedgerReport {
  payments: number;
  violations: string[];
}

/**
 * Checks, after the sweeps have run: every payment's captured-minus-refunded at the provider equals
 * our payment and refund rows; nothing is still in flight or failed for good; no active ticket
 * without its money; seat counters equal the pending+active quantities; one provider refund per
 * refund row; one resource per Idempotency-Key.
 */
export async function checkLedger(db: Db, cipher: FieldCipher, books: ProviderBooks): Promise<LedgerReport> {
  const violations: string[] = [];
  const payments = await db
    .selectFrom("payments")
    .select(["id", "status", "amountMinor", "refundedMinor", "providerPaymentIdEnc"])
    .execute();
  const refunds = await db.selectFrom("refunds").select(["id", "paymentId", "status", "amountMinor"]).execute();
  const providerRefunds = await books.refunds();

  for (const p of payments) {
    const intentId = p.providerPaymentIdEnc ? cipher.decrypt(p.providerPaymentIdEnc) : null;
    const ours = ["completed", "partially_refunded", "refunded"].includes(p.status) ? p.amountMinor : 0;
    const intent = intentId ? await books.intent(intentId) : { status: "none", amountReceived: 0 };
    const captured = intent.status === "succeeded" ? intent.amountReceived : 0;
    if (captured !== ours) violations.push(`payment ${p.id}: provider captured ${captured}, our payment says ${ours} (${p.status})`);
    if (p.status === "pending" && intent.status !== "none" && !["canceled", "requires_payment_method"].includes(intent.status)) {
      violations.push(`payment ${p.id}: still pending while the intent is ${intent.status}`);
    }
    const theirs = providerRefunds.filter((r) => intentId !== null && r.paymentIntent === intentId);
    const refundedThere = theirs.filter((r) => r.status === "succeeded").reduce((sum, r) => sum + r.amount, 0);
    const completedHere = refunds
      .filter((r) => r.paymentId === p.id && r.status === "completed")
      .reduce((sum, r) => sum + r.amountMinor, 0);
    if (refundedThere !== p.refundedMinor || completedHere !== p.refundedMinor) {
      violations.push(`payment ${p.id}: provider refunded ${refundedThere}, payment row ${p.refundedMinor}, refund rows ${completedHere}`);
    }
    if (theirs.some((r) => r.status === "pending")) violations.push(`payment ${p.id}: a refund is still pending at the provider`);
  }
  for (const r of refunds) {
    const sent = providerRefunds.filter((x) => x.ourRefundId === r.id);
    if (sent.length > 1) violations.push(`refund ${r.id}: sent ${sent.length} times to the provider`);
    if (r.status === "processing") violations.push(`refund ${r.id}: still processing after the sweeps`);
  }

  const stuck = await db
    .selectFrom("providerTasks")
    .select(["id", "kind", "status", "lastError"])
    .where("status", "in", ["pending", "failed"])
    .execute();
  for (const t of stuck) violations.push(`provider task ${t.kind} ${t.id} is ${t.status} (${t.lastError ?? "no error"})`);
  const failedEvents = await db.selectFrom("webhookEvents").select(["providerEventId", "type"]).where("status", "=", "failed").execute();
  for (const e of failedEvents) violations.push(`webhook ${e.type} ${e.providerEventId} failed`);

  // No ticket without its money: the participation's live order is paid, free, or a comp.
  const unpaid = await sql<{ id: string }>`
    SELECT p.id FROM participations p
    JOIN LATERAL (SELECT o.id, o.amount_minor FROM orders o WHERE o.participation_id = p.id ORDER BY o.created_at DESC LIMIT 1) o ON true
    WHERE p.status = 'active' AND p.kind = 'ticket' AND o.amount_minor > 0
      AND coalesce((p.metadata->>'comp')::boolean, false) = false
      AND NOT EXISTS (SELECT 1 FROM payments pay WHERE pay.order_id = o.id AND pay.status IN ('completed', 'partially_refunded', 'refunded'))`.execute(
    db,
  );
  for (const r of unpaid.rows) violations.push(`participation ${r.id} is active without a completed payment`);

  const seats = await sql<{ id: string; taken: number; held: number }>`
    SELECT e.id, e.seats_taken AS taken, coalesce(sum(p.quantity) FILTER (WHERE p.status IN ('pending', 'active')), 0)::int AS held
    FROM events e LEFT JOIN participations p ON p.event_id = e.id GROUP BY e.id HAVING e.seats_taken <> coalesce(sum(p.quantity) FILTER (WHERE p.status IN ('pending', 'active')), 0)`.execute(
    db,
  );
  for (const r of seats.rows) violations.push(`event ${r.id}: seats_taken ${r.taken}, pending+active quantities ${r.held}`);
  const types = await sql<{ id: string }>`
    SELECT t.id FROM ticket_types t LEFT JOIN participations p ON p.ticket_type_id = t.id
    GROUP BY t.id HAVING t.quantity_taken <> coalesce(sum(p.quantity) FILTER (WHERE p.status IN ('pending', 'active')), 0)`.execute(db);
  for (const r of types.rows) violations.push(`ticket type ${r.id}: quantity_taken differs from pending+active quantities`);

  // Invariant 8: one live order per participation, one resource per key.
  const doubled = await sql<{ participationId: string }>`
    SELECT participation_id FROM orders WHERE status IN ('pending', 'confirmed') GROUP BY participation_id HAVING count(*) > 1`.execute(db);
  for (const r of doubled.rows) violations.push(`participation ${r.participationId} has two live orders`);
  return { payments: payments.length, violations };
}
