// payment_intent.canceled → payment cancelled (the hold was already released by whoever cancelled).
import { settleCanceled } from "../../payments/settlement";
import type { EventHandler } from "../types";
import { findPaymentId, intentFacts } from "./intent-facts";

export const paymentIntentCanceled: EventHandler = {
  async apply(trx, deps, event, _prepared, owners) {
    const paymentId = await findPaymentId(trx, deps.cipher, intentFacts(event.data.object), owners);
    return paymentId ? settleCanceled(trx, paymentId) : "ignored: no payment for this intent";
  },
};
