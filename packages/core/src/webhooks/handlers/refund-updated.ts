// refund.updated → the refund's final verdict: succeeded completes it (and may end the ticket),
// failed or canceled fails it; other statuses are noted and change nothing.
import { completeRefund, failRefund } from "../../payments/refund-settlement";
import type { EventHandler } from "../types";
import { findRefund, refundFacts } from "./refund-facts";

export const refundUpdated: EventHandler = {
  async apply(trx, deps, event) {
    const facts = refundFacts(event.data.object);
    const refundId = await findRefund(trx, deps.cipher, facts);
    if (!refundId) return "ignored: no refund of ours for this provider refund";
    if (facts.status === "succeeded") return completeRefund(trx, deps, refundId, event.id);
    if (facts.status === "failed" || facts.status === "canceled")
      return failRefund(trx, refundId, facts.failureReason ?? facts.status, event.id);
    return `noted: refund ${facts.status ?? "without status"} at the provider`;
  },
};
