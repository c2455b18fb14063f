// payment_intent.payment_failed → payment failed and a failure row; the seats stay held.
import { settleFailed } from "../../payments/settlement";
import type { EventHandler } from "../types";
import { findPaymentId, intentFacts } from "./intent-facts";

/**
 * A failure event may be stale: the buyer can retry and succeed before it arrives. The event
 * alone cannot decide, so re-read the intent first (outside the transaction).
 */
export const paymentIntentPaymentFailed: EventHandler<string | null> = {
  async prepare(deps, event) {
    const id = intentFacts(event.data.object).id;
    return id ? (await deps.gateway.retrieveIntent(id)).status : null;
  },
  async apply(trx, deps, event, currentStatus, owners) {
    if (currentStatus === "succeeded" || currentStatus === "processing") return `stale: intent is ${currentStatus} now`;
    const facts = intentFacts(event.data.object);
    const paymentId = await findPaymentId(trx, deps.cipher, facts, owners);
    if (!paymentId) return "ignored: no payment for this intent";
    return settleFailed(trx, paymentId, facts);
  },
};
