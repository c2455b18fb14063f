// What each kind of provider task does (provider-tasks.ts runs them): create a PaymentIntent,
// cancel one, send a refund. Each is safe to repeat: it checks what is already done, calls the
// provider with our deterministic idempotency key, and records the result only if still needed.
import { useTransaction } from "../db/transaction";
import { sql } from "kysely";
import type { Currency } from "../money";
import type { PaymentsDeps } from "./deps";
import { audit, providerIdOf, storeIntent } from "./payments.repository";
import type { ProviderTask } from "./payments.table";

/** What bookkeeping needs of a task an attempt was made on. */
export type AttemptedTask = Pick<ProviderTask, "id" | "kind" | "paymentId" | "refundId" | "attempts">;
import { failpoint } from "../shared/failpoints";
import { failRefund } from "./refund-settlement";

export const intentIdempotencyKey = (paymentId: string) => `evently-payment-${paymentId}-intent`;
export const cancelIdempotencyKey = (paymentId: string) => `evently-payment-${paymentId}-cancel`;
export const refundIdempotencyKey = (refundId: string) => `evently-refund-${refundId}`;

/** The intent is still being created elsewhere: a cancel must wait for it, not give up. */
class NotYet extends Error {
  override readonly name = "NotYet";
  readonly retryable = true;
}

/** What creating a payment's intent needs to know: the request that just held the seats has it all. */
export interface IntentFacts {
  id: string;
  amountMinor: number;
  currency: Currency;
  title: string;
  receiptEmail: string | null;
}

/** The provider call itself, between the failpoints the fault suite arms around every provider call. */
export async function requestIntent(deps: PaymentsDeps, p: IntentFacts) {
  await failpoint("task.before-provider");
  const intent = await deps.gateway.createIntent({
    paymentId: p.id,
    amountMinor: p.amountMinor,
    currency: p.currency,
    description: `Tickets: ${p.title}`,
    // Stripe mails its receipt once the payment succeeds.
    receiptEmail: p.receiptEmail,
    idempotencyKey: intentIdempotencyKey(p.id),
  });
  await failpoint("task.after-provider");
  return intent;
}

async function createIntent(deps: PaymentsDeps, task: ProviderTask): Promise<string> {
  const p = await deps.db
    .selectFrom("payments as p")
    .innerJoin("orders as o", "o.id", "p.orderId")
    .innerJoin("events as e", "e.id", "o.eventId")
    .innerJoin("users as u", "u.id", "p.userId")
    .select(["p.id", "p.status", "p.amountMinor", "p.currency", "p.userId", "p.providerPaymentIdEnc", "e.title", "u.email as receiptEmail"])
    .where("p.id", "=", task.paymentId)
    .executeTakeFirstOrThrow();
  if (p.providerPaymentIdEnc) return "already created";
  // A cancelled hold needs no intent; its cancel task finds none and is done.
  if (p.status !== "pending") return `skipped: payment ${p.status}`;
  const intent = await requestIntent(deps, p);
  await useTransaction(deps.db, async (trx) => {
    await storeIntent(trx, deps.cipher, p.id, intent);
    await audit(trx, {
      paymentId: p.id,
      actionType: "PaymentProcessed",
      description: "PaymentIntent created at the provider",
      userId: p.userId,
      newValues: { providerStatus: intent.status },
    });
  });
  return "created";
}

async function cancelIntent(deps: PaymentsDeps, task: ProviderTask): Promise<string> {
  const p = await deps.db
    .selectFrom("payments")
    .select(["id", "providerPaymentIdEnc"])
    .where("id", "=", task.paymentId)
    .executeTakeFirstOrThrow();
  const intentId = providerIdOf(deps.cipher, p.providerPaymentIdEnc);
  if (!intentId) {
    const creating = await deps.db
      .selectFrom("providerTasks")
      .select("status")
      .where("kind", "=", "create_intent")
      .where("paymentId", "=", p.id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (creating) throw new NotYet("the intent is still being created");
    return "nothing to cancel: no intent was created";
  }
  try {
    await failpoint("task.before-provider");
    await deps.gateway.cancelIntent(intentId, cancelIdempotencyKey(p.id));
    await failpoint("task.after-provider");
    return "cancelled";
  } catch (error) {
    // An intent that already succeeded (or was cancelled) refuses; settlement handles a success.
    const intent = await deps.gateway.retrieveIntent(intentId);
    if (intent.status === "succeeded" || intent.status === "canceled") return `not cancelled: intent already ${intent.status}`;
    throw error;
  }
}

async function sendRefund(deps: PaymentsDeps, task: ProviderTask): Promise<string> {
  const row = await deps.db
    .selectFrom("refunds as r")
    .innerJoin("payments as p", "p.id", "r.paymentId")
    .select(["r.id", "r.amountMinor", "r.reason", "r.status", "r.providerRefundIdHash", "p.providerPaymentIdEnc"])
    .where("r.id", "=", task.refundId ?? "")
    .executeTakeFirstOrThrow();
  if (row.providerRefundIdHash) return "already sent";
  if (row.status !== "processing") return `skipped: refund ${row.status}`;
  const paymentIntentId = providerIdOf(deps.cipher, row.providerPaymentIdEnc);
  if (!paymentIntentId) throw Object.assign(new Error("the payment has no provider intent"), { retryable: false });
  await failpoint("task.before-provider");
  const refund = await deps.gateway.createRefund({
    paymentIntentId,
    amountMinor: row.amountMinor,
    refundId: row.id,
    reason: row.reason,
    idempotencyKey: refundIdempotencyKey(row.id),
  });
  await failpoint("task.after-provider");
  // The refund webhook may have stored the id first (refund-facts.ts); either way it is the same.
  await deps.db
    .updateTable("refunds")
    .set({ providerRefundIdEnc: deps.cipher.encrypt(refund.id), providerRefundIdHash: deps.cipher.blindIndex(refund.id) })
    .where("id", "=", row.id)
    .where("providerRefundIdHash", "is", null)
    .execute();
  return "sent";
}

export function performTask(deps: PaymentsDeps, task: ProviderTask): Promise<string> {
  switch (task.kind) {
    case "create_intent":
      return createIntent(deps, task);
    case "cancel_intent":
      return cancelIntent(deps, task);
    case "refund":
      return sendRefund(deps, task);
  }
}

/**
 * Gives up on a task: marked failed (payment health counts it; an alarm fires) with what follows
 * for the money. A refund that never reached the provider fails, so its amount is refundable
 * again; a payment without an intent keeps its hold until expiry releases it.
 */
export async function failTask(deps: PaymentsDeps, task: AttemptedTask, reason: string): Promise<string> {
  return useTransaction(deps.db, async (trx) => {
    await trx
      .updateTable("providerTasks")
      .set({ status: "failed", lastError: reason, lockedUntil: null, completedAt: sql`now()`, outcome: "failed" })
      .where("id", "=", task.id)
      .execute();
    if (task.kind === "refund" && task.refundId) return failRefund(trx, task.refundId, `not sent: ${reason}`, `provider-task:${task.id}`);
    await audit(trx, {
      paymentId: task.paymentId,
      actionType: "SystemAction",
      description: `Provider task ${task.kind} failed for good: ${reason}`,
    });
    return `failed: ${task.kind}`;
  });
}
