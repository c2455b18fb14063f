// Charges behind PaymentIntents: created on confirmation, refunded amounts kept in sync, disputes raised by tests.
import { type TestCard } from "./cards";
import { type SandboxContext } from "./context";
import { invalidRequest, resourceMissing } from "./errors";
import { type Charge, type Dispute, type PaymentIntent, type PaymentMethod } from "./objects";
import { newId, nowUnix, type SandboxState } from "./state";

export function createCharge(state: SandboxState, pi: PaymentIntent, method: PaymentMethod, test: TestCard): Charge {
  const decline = test.decline;
  const charge: Charge = {
    id: newId("ch"),
    object: "charge",
    amount: pi.amount,
    amount_captured: decline ? 0 : pi.amount,
    amount_refunded: 0,
    captured: !decline,
    created: nowUnix(),
    currency: pi.currency,
    description: pi.description,
    disputed: false,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    livemode: false,
    metadata: { ...pi.metadata },
    outcome: decline
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: "declined_by_network",
          reason: decline.decline_code,
          risk_level: "normal",
          seller_message: "The bank did not return any further details with this decline.",
          type: "issuer_declined",
        }
      : {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: "approved_by_network",
          reason: null,
          risk_level: "normal",
          seller_message: "Payment complete.",
          type: "authorized",
        },
    paid: !decline,
    payment_intent: pi.id,
    payment_method: method.id,
    payment_method_details: { type: "card", card: { ...method.card } },
    refunded: false,
    status: decline ? "failed" : "succeeded",
  };
  state.charges.set(charge.id, charge);
  return charge;
}

// Pending refunds already count against the charge; failed ones give the money back.
export function refundedAmount(state: SandboxState, charge: Charge): number {
  return state
    .refundsOf(charge.id)
    .filter((r) => r.status === "pending" || r.status === "succeeded")
    .reduce((sum, r) => sum + r.amount, 0);
}

export function syncRefunded(state: SandboxState, charge: Charge): void {
  charge.amount_refunded = refundedAmount(state, charge);
  charge.refunded = charge.amount_refunded === charge.amount;
}

export function succeededChargeOf(state: SandboxState, paymentIntentId: string, param: string): Charge {
  const pi = state.paymentIntents.get(paymentIntentId);
  if (!pi) throw resourceMissing(paymentIntentId, param, 400);
  const charge = pi.latest_charge ? state.charges.get(pi.latest_charge) : undefined;
  if (pi.status !== "succeeded" || !charge || charge.status !== "succeeded") {
    throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, {
      code: "charge_not_refundable",
      param,
      replayable: true,
    });
  }
  return charge;
}

export interface DisputeOptions {
  reason?: string;
  amount?: number;
}

export function createDispute(ctx: SandboxContext, paymentIntentId: string, opts: DisputeOptions = {}): Dispute {
  const charge = succeededChargeOf(ctx.state, paymentIntentId, "payment_intent");
  if (charge.disputed) throw invalidRequest(`Charge ${charge.id} has already been disputed.`);
  const created = nowUnix();
  const dispute: Dispute = {
    id: newId("dp"),
    object: "dispute",
    amount: opts.amount ?? charge.amount,
    charge: charge.id,
    created,
    currency: charge.currency,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: paymentIntentId,
    reason: opts.reason ?? "fraudulent",
    status: "needs_response",
    evidence_details: { due_by: created + 7 * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
  };
  ctx.state.disputes.set(dispute.id, dispute);
  charge.disputed = true;
  ctx.emit("charge.dispute.created", dispute, null);
  return dispute;
}
