// payment_intent.succeeded → payment completed; participation active, or an automatic refund.
import { dispatchPendingTasks } from "../../payments/provider-tasks";
import { settleSucceeded } from "../../payments/settlement";
import type { EventHandler } from "../types";
import { findPaymentId, intentFacts } from "./intent-facts";

export const paymentIntentSucceeded: EventHandler = {
  async apply(trx, deps, event, _prepared, owners) {
    const facts = intentFacts(event.data.object);
    const paymentId = await findPaymentId(trx, deps.cipher, facts, owners);
    if (!paymentId) return "ignored: no payment for this intent";
    return settleSucceeded(trx, deps, paymentId, facts, event.id);
  },
  async resume(deps, event) {
    const paymentId = await findPaymentId(deps.db, deps.cipher, intentFacts(event.data.object));
    // A crash after the first delivery committed may have left its refund unsent: send it now.
    if (paymentId) await dispatchPendingTasks(deps, paymentId);
  },
};
