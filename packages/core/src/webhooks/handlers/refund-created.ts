// refund.created → acknowledged; the refund is pending at the provider and completes by refund.updated.
import type { EventHandler } from "../types";
import { findRefund, refundFacts } from "./refund-facts";

export const refundCreated: EventHandler = {
  async apply(trx, deps, event) {
    // Finding it also stores the provider id if our after-commit write has not (yet).
    const refundId = await findRefund(trx, deps.cipher, refundFacts(event.data.object));
    return refundId ? "acknowledged: refund pending at the provider" : "ignored: no refund of ours for this provider refund";
  },
};
