// Reads what the refund handlers need from a Refund object and finds our refund for it.
import type { Trx } from "../../db/transaction";
import type { FieldCipher } from "../../payments/crypto";
import { obj, str, uuidOrNull } from "../types";

export interface RefundFacts {
  /** The provider's refund id (re_…). */
  id: string;
  status: string | null;
  /** Our refund id from metadata; only a well-formed uuid counts (anything else would fail the query). */
  refundId: string | null;
  failureReason: string | null;
}

export function refundFacts(refund: Record<string, unknown>): RefundFacts {
  return {
    id: str(refund.id) ?? "",
    status: str(refund.status),
    refundId: uuidOrNull(obj(refund.metadata).refundId),
    failureReason: str(refund.failure_reason),
  };
}

/**
 * Our metadata names the refund; otherwise the blind index of the provider id finds it. When the
 * refund is found by metadata but its provider id is not stored yet (the after-commit write lost
 * a race with this webhook, or crashed), the id is stored here — encrypted, like submitRefund does.
 */
export async function findRefund(trx: Trx, cipher: FieldCipher, facts: RefundFacts): Promise<string | undefined> {
  const hash = facts.id ? cipher.blindIndex(facts.id) : null;
  if (facts.refundId) {
    const row = await trx.selectFrom("refunds").select(["id", "providerRefundIdHash"]).where("id", "=", facts.refundId).executeTakeFirst();
    if (row && !row.providerRefundIdHash && facts.id && hash) {
      await trx
        .updateTable("refunds")
        .set({ providerRefundIdEnc: cipher.encrypt(facts.id), providerRefundIdHash: hash })
        .where("id", "=", row.id)
        .where("providerRefundIdHash", "is", null)
        .execute();
    }
    if (row) return row.id;
  }
  if (!hash) return undefined;
  const row = await trx.selectFrom("refunds").select("id").where("providerRefundIdHash", "=", hash).executeTakeFirst();
  return row?.id;
}
