// charge.refunded → noted only. Stripe sends it when a refund is CREATED (amount_refunded counts
// pending refunds), so it cannot say a refund succeeded; refund.updated is our completion signal.
import { paymentIdFromProviderId } from "../../payments/payments.repository";
import { obj, str, type EventHandler } from "../types";
import { findRefund, refundFacts } from "./refund-facts";

export const chargeRefunded: EventHandler = {
  async apply(trx, deps, event) {
    const charge = event.data.object;
    const intentId = str(charge.payment_intent) ?? str(obj(charge.payment_intent).id);
    const paymentId = intentId ? await paymentIdFromProviderId(trx, deps.cipher, intentId) : undefined;
    if (!paymentId) return "ignored: no payment for this charge";
    // The list is present when the API version or an expand includes it; each refund of ours in
    // it gets its provider id stored if the after-commit write has not done so.
    const listed = Array.isArray(obj(charge.refunds).data) ? (obj(charge.refunds).data as unknown[]) : [];
    let ours = 0;
    for (const refund of listed) if (await findRefund(trx, deps.cipher, refundFacts(obj(refund)))) ours += 1;
    const refunded = typeof charge.amount_refunded === "number" ? charge.amount_refunded : null;
    return `noted: ${listed.length} refunds on the charge (${ours} ours), ${refunded ?? "?"} of ${String(charge.amount ?? "?")} refunded or pending`;
  },
};
