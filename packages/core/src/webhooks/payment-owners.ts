// The payments a batch's PaymentIntent events belong to, found with one statement inside the
// batch's transaction instead of one per event. An intent it does not find is looked up again by
// its handler (findPaymentId), which also decides between "not ours" and "not stored yet".
import type { Trx } from "../db/transaction";
import type { FieldCipher } from "../payments/crypto";
import { str, type ProviderEvent } from "./types";

/** Intent id → payment id, for the intents the batch names that have a stored payment. */
export type PaymentOwners = ReadonlyMap<string, string>;

export async function paymentOwners(trx: Trx, cipher: FieldCipher, events: readonly ProviderEvent[]): Promise<PaymentOwners> {
  const intentByHash = new Map<string, string>();
  for (const event of events) {
    const intentId = event.type.startsWith("payment_intent.") ? str(event.data.object.id) : null;
    if (intentId) intentByHash.set(cipher.blindIndex(intentId), intentId);
  }
  if (intentByHash.size === 0) return new Map();
  const rows = await trx
    .selectFrom("payments")
    .select(["id", "providerPaymentIdHash"])
    .where("providerPaymentIdHash", "in", [...intentByHash.keys()])
    .execute();
  return new Map(rows.map((row) => [intentByHash.get(row.providerPaymentIdHash!)!, row.id]));
}
