// Payments test harness: a fresh database, the local Stripe sandbox behind the product's real
// Stripe gateway, and a webhook pump that feeds the sandbox's events to processStripeEvent.
import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import type { Actor } from "@evently/core/auth/actor";
import { createFieldCipher } from "@evently/core/payments/crypto";
import type { PaymentsDeps } from "@evently/core/payments/deps";
import { createOrder } from "@evently/core/payments/orders";
import { processStripeEvent, type ProviderEvent } from "@evently/core/webhooks";
import { startStripeSandbox, type StripeSandbox } from "@evently/stripe-sandbox";
import { createTestDatabase, type TestDatabase } from "../../support/db";

export interface PaymentsHarness {
  t: TestDatabase;
  sandbox: StripeSandbox;
  /** The SDK as a buyer's browser would use it: confirms intents at the sandbox. */
  stripe: Stripe;
  deps: PaymentsDeps;
  /** Every sandbox event not processed yet, in emission order (optionally only some types). */
  pending(types?: readonly string[]): ProviderEvent[];
  /** Processes events (default: all pending ones, oldest first); returns outcomes by event type. */
  drain(events?: ProviderEvent[]): Promise<{ type: string; outcome: string }[]>;
  /** The provider refund id (re_…) of our refund, decrypted from its row. */
  providerRefundId(refundId: string): Promise<string>;
  stop(): Promise<void>;
}

/** Refunds stay pending at the sandbox until a test completes or fails them (completeRefund / failRefund). */
export async function startPaymentsHarness(): Promise<PaymentsHarness> {
  const t = await createTestDatabase();
  const sandbox = await startStripeSandbox({ webhookSecret: "whsec_payments_test", refundDelayMs: Infinity });
  // The product's gateway reads these at first use (lib/stripe.ts): it talks to this sandbox.
  process.env.STRIPE_API_BASE = sandbox.url;
  const { stripeGateway } = await import("@evently/functions/lib/stripe-gateway");
  // The same data key for the core deps here and for paymentsDeps() in HTTP handlers (lib/secrets.ts).
  process.env.DATA_KEY = `v1:${randomBytes(32).toString("base64")}`;
  const cipher = createFieldCipher(process.env.DATA_KEY, process.env.BLIND_INDEX_KEY ?? "");
  const deps: PaymentsDeps = { db: t.db, gateway: stripeGateway, cipher, holdTtlSeconds: 900 };
  const stripe = new Stripe("sk_test_local", { host: "127.0.0.1", port: sandbox.port, protocol: "http" });
  const processed = new Set<string>();

  const pending = (types?: readonly string[]) =>
    sandbox
      .events()
      .map((r) => r.event)
      .filter((e) => !processed.has(e.id) && (!types || types.includes(e.type)))
      .map((e): ProviderEvent => ({ id: e.id, type: e.type, created: e.created, data: { object: e.data.object } }));

  return {
    t,
    sandbox,
    stripe,
    deps,
    pending,
    async drain(events) {
      const out: { type: string; outcome: string }[] = [];
      for (const event of events ?? pending()) {
        processed.add(event.id);
        out.push({ type: event.type, outcome: (await processStripeEvent(deps, event)).outcome });
      }
      return out;
    },
    async providerRefundId(refundId) {
      const row = await t.db.selectFrom("refunds").select("providerRefundIdEnc").where("id", "=", refundId).executeTakeFirstOrThrow();
      if (!row.providerRefundIdEnc) throw new Error(`refund ${refundId} was not sent to the provider`);
      return cipher.decrypt(row.providerRefundIdEnc);
    },
    async stop() {
      await sandbox.stop();
      await t.destroy();
    },
  };
}

export interface PaidOrder {
  orderId: string;
  paymentId: string;
  participationId: string;
  intentId: string;
  amountMinor: number;
}

/** An order placed through createOrder, paid at the sandbox with pm_card_visa, its webhook processed. */
export async function paidOrder(h: PaymentsHarness, buyer: Actor, eventId: string, ticketTypeId: string, quantity = 1): Promise<PaidOrder> {
  const result = await createOrder(h.deps, buyer, eventId, { ticketTypeId, quantity });
  const intentId = result.payment?.providerPaymentId;
  if (!result.order || !result.payment || !intentId) throw new Error(`order was not placed with a payment: ${JSON.stringify(result)}`);
  await h.stripe.paymentIntents.confirm(intentId, { payment_method: "pm_card_visa" });
  await h.drain(h.pending(["payment_intent.succeeded"]));
  return {
    orderId: result.order.id,
    paymentId: result.payment.id,
    participationId: result.participation.id,
    intentId,
    amountMinor: result.payment.amountMinor,
  };
}

/** Completes every refund still pending at the sandbox, then processes everything it emitted. */
export async function settleRefunds(h: PaymentsHarness, refundIds: readonly string[]) {
  for (const id of refundIds) h.sandbox.completeRefund(await h.providerRefundId(id));
  return h.drain();
}
