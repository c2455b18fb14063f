// refund.failed → our refund failed with the provider's reason; the amount is refundable again.
import { failRefund } from "../../payments/refund-settlement";
import type { EventHandler } from "../types";
import { findRefund, refundFacts } from "./refund-facts";

/** Stripe also sends refund.updated (status failed) for the same change: whichever comes first applies. */
export const refundFailed: EventHandler = {
  async apply(trx, deps, event) {
    const facts = refundFacts(event.data.object);
    const refundId = await findRefund(trx, deps.cipher, facts);
    if (!refundId) return "ignored: no refund of ours for this provider refund";
    return failRefund(trx, refundId, facts.failureReason ?? "failed", event.id);
  },
};
