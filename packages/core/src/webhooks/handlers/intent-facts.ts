// Reads what the payment handlers need from a PaymentIntent object and finds our payment for it.
import type { Db } from "../../db/client";
import type { Trx } from "../../db/transaction";
import type { FieldCipher } from "../../payments/crypto";
import { paymentIdFromProviderId } from "../../payments/payments.repository";
import { obj, str } from "../types";

export function intentFacts(intent: Record<string, unknown>) {
  const error = obj(intent.last_payment_error);
  const card = obj(obj(obj(intent.payment_method_details ?? obj(intent.latest_charge).payment_method_details).card));
  return {
    id: str(intent.id) ?? "",
    status: str(intent.status),
    paymentId: str(obj(intent.metadata).paymentId),
    latestChargeId: str(intent.latest_charge) ?? str(obj(intent.latest_charge).id),
    card: str(card.last4) ? { brand: str(card.brand), last4: str(card.last4) } : null,
    lastError: str(error.code) || str(error.message) ? { code: str(error.code) ?? str(error.decline_code) ?? "payment_failed", message: str(error.message) ?? "The payment failed" } : null,
  };
}

/** Our metadata names the payment; otherwise the blind index of the intent id finds it. */
export async function findPaymentId(db: Db | Trx, cipher: FieldCipher, facts: { id: string; paymentId: string | null }): Promise<string | undefined> {
  if (facts.paymentId) return facts.paymentId;
  return facts.id ? paymentIdFromProviderId(db, cipher, facts.id) : undefined;
}
