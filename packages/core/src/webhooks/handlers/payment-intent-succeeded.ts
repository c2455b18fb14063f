// payment_intent.succeeded → payment completed; participation active, or an automatic refund.
import { resubmitPendingRefunds } from "../../payments/refund-submission";
import { settleSucceeded } from "../../payments/settlement";
import type { EventHandler } from "../types";
import { findPaymentId, intentFacts } from "./intent-facts";

export const paymentIntentSucceeded: EventHandler = {
  async apply(trx, deps, event) {
    const facts = intentFacts(event.data.object);
    const paymentId = await findPaymentId(trx, deps.cipher, facts);
    if (!paymentId) return "ignored: no payment for this intent";
    return settleSucceeded(trx, deps, paymentId, facts, event.id);
  },
  async resume(deps, event) {
    const paymentId = await findPaymentId(deps.db, deps.cipher, intentFacts(event.data.object));
    if (paymentId) await resubmitPendingRefunds(deps, paymentId);
  },
};
