// charge.dispute.created → a pending chargeback in the payment's ledger and an audit entry; the
// payment's status is left alone (the dispute may still be won).
import { sql } from "kysely";
import { audit, lockPayment, paymentIdFromProviderId } from "../../payments/payments.repository";
import { obj, str, type EventHandler } from "../types";

export const chargeDisputeCreated: EventHandler = {
  async apply(trx, deps, event) {
    const dispute = event.data.object;
    const intentId = str(dispute.payment_intent) ?? str(obj(dispute.payment_intent).id);
    const paymentId = intentId ? await paymentIdFromProviderId(trx, deps.cipher, intentId) : undefined;
    const payment = paymentId ? await lockPayment(trx, paymentId) : undefined;
    if (!payment) return "ignored: no payment for this dispute";
    const disputeId = str(dispute.id) ?? event.id;
    // Provider ids stay out of the database in clear: the dispute is recognised by its blind index.
    const disputeIdHash = deps.cipher.blindIndex(disputeId);
    const seen = await trx
      .selectFrom("paymentTransactions")
      .select("id")
      .where("paymentId", "=", payment.id)
      .where("type", "=", "chargeback")
      .where(sql<boolean>`provider_response->>'disputeIdHash' = ${disputeIdHash}`)
      .executeTakeFirst();
    if (seen) return "duplicate: dispute already recorded";
    const amount =
      typeof dispute.amount === "number" && Number.isSafeInteger(dispute.amount) && dispute.amount > 0
        ? Math.min(dispute.amount, payment.amountMinor)
        : payment.amountMinor;
    const reason = str(dispute.reason) ?? "unspecified";
    await trx
      .insertInto("paymentTransactions")
      .values({
        paymentId: payment.id,
        type: "chargeback",
        amountMinor: amount,
        currency: payment.currency,
        status: "pending",
        providerReference: event.id,
        providerResponse: JSON.stringify({ disputeIdHash, reason, status: str(dispute.status) }) as never,
      })
      .execute();
    await audit(trx, {
      paymentId: payment.id,
      actionType: "SystemAction",
      description: `Dispute opened: ${reason}`,
      newValues: { amountMinor: amount, reason },
    });
    return `recorded: chargeback of ${amount} pending (${reason})`;
  },
};
