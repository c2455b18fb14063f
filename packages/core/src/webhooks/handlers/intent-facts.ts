// Reads what the payment handlers need from a PaymentIntent object and finds our payment for it.
import type { Db } from "../../db/client";
import type { Trx } from "../../db/transaction";
import type { FieldCipher } from "../../payments/crypto";
import { paymentIdFromProviderId } from "../../payments/payments.repository";
import type { PaymentOwners } from "../payment-owners";
import { obj, str, uuidOrNull } from "../types";

export function intentFacts(intent: Record<string, unknown>) {
  const error = obj(intent.last_payment_error);
  const card = obj(obj(obj(intent.payment_method_details ?? obj(intent.latest_charge).payment_method_details).card));
  return {
    id: str(intent.id) ?? "",
    status: str(intent.status),
    /** A hint only (see findPaymentId): whoever can create intents on the account can write it. */
    paymentId: uuidOrNull(obj(intent.metadata).paymentId),
    latestChargeId: str(intent.latest_charge) ?? str(obj(intent.latest_charge).id),
    /** What the provider says it charged, compared with our payment before anything is settled. */
    amountMinor:
      typeof intent.amount_received === "number" ? intent.amount_received : typeof intent.amount === "number" ? intent.amount : null,
    currency: str(intent.currency)?.toUpperCase() ?? null,
    card: str(card.last4) ? { brand: str(card.brand), last4: str(card.last4) } : null,
    lastError:
      str(error.code) || str(error.message)
        ? { code: str(error.code) ?? str(error.decline_code) ?? "payment_failed", message: str(error.message) ?? "The payment failed" }
        : null,
  };
}

/** Thrown (so the queue redelivers) while the payment an event names has no intent stored yet. */
export class IntentNotStoredYet extends Error {
  override name = "IntentNotStoredYet";
}

/**
 * The payment this intent belongs to: the one whose stored intent id (blind index) is this intent.
 * `metadata.paymentId` never decides on its own, since an intent made elsewhere on the account
 * (or a forged one) could name any payment. When it names a payment that has no intent stored
 * yet (the after-commit write lost the race or crashed; the sweep stores it), the event cannot be
 * verified now: it is retried rather than applied or dropped.
 */
export async function findPaymentId(
  db: Db | Trx,
  cipher: FieldCipher,
  facts: { id: string; paymentId: string | null },
  owners?: PaymentOwners,
): Promise<string | undefined> {
  if (!facts.id) return undefined;
  const owner = owners?.get(facts.id) ?? (await paymentIdFromProviderId(db, cipher, facts.id));
  if (owner || !facts.paymentId) return owner;
  const named = await db
    .selectFrom("payments")
    .select("id")
    .where("id", "=", facts.paymentId)
    .where("providerPaymentIdHash", "is", null)
    .executeTakeFirst();
  if (named) throw new IntentNotStoredYet(`Payment ${named.id} has no stored intent yet; the event is retried until it does`);
  return undefined;
}
