// Refund endpoints and the refund lifecycle: pending on creation, then succeeded (or failed) a little later.
import { refundedAmount, succeededChargeOf, syncRefunded } from "./charges";
import { type RequestInfo, type SandboxContext } from "./context";
import { invalidRequest, resourceMissing } from "./errors";
import { type Params } from "./form";
import { type Charge, type Refund } from "./objects";
import * as p from "./params";
import { newId, nowUnix } from "./state";

type Json = Record<string, unknown>;

const CREATE = [
  "amount",
  "charge",
  "currency",
  "customer",
  "expand",
  "instructions_email",
  "metadata",
  "origin",
  "payment_intent",
  "reason",
  "refund_application_fee",
  "reverse_transfer",
];
const REASONS = ["duplicate", "fraudulent", "requested_by_customer"] as const;

function find(ctx: SandboxContext, id: string): Refund {
  const refund = ctx.state.refunds.get(id);
  if (!refund) throw resourceMissing(id, "id");
  return refund;
}

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
}

function chargeFor(ctx: SandboxContext, params: Params): Charge {
  const piId = p.optString(params, "payment_intent");
  const chargeId = p.optString(params, "charge");
  if (piId) return succeededChargeOf(ctx.state, piId, "payment_intent");
  if (!chargeId) {
    throw invalidRequest("One of the following params should be provided for this request: payment_intent or charge.", {
      code: "parameter_missing",
    });
  }
  const charge = ctx.state.charges.get(chargeId);
  if (!charge) throw resourceMissing(chargeId, "charge", 400);
  return succeededChargeOf(ctx.state, charge.payment_intent, "charge");
}

export function createRefund(ctx: SandboxContext, params: Params, req: RequestInfo): Json {
  p.allowOnly(params, CREATE);
  const charge = chargeFor(ctx, params);
  const remaining = charge.amount - refundedAmount(ctx.state, charge);
  if (remaining <= 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
      code: "charge_already_refunded",
      replayable: true,
    });
  }
  const amount = p.optInt(params, "amount", 1) ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${money(amount, charge.currency)}) is greater than unrefunded amount on charge (${money(remaining, charge.currency)})`,
      { code: "amount_too_large", param: "amount", replayable: true },
    );
  }
  const refund: Refund = {
    id: newId("re"),
    object: "refund",
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: nowUnix(),
    currency: charge.currency,
    metadata: p.applyMetadata({}, params),
    payment_intent: charge.payment_intent,
    reason: p.optEnum(params, "reason", REASONS) ?? null,
    status: "pending",
  };
  ctx.state.refunds.set(refund.id, refund);
  syncRefunded(ctx.state, charge);
  ctx.emit("refund.created", refund, req);
  ctx.emit("charge.refunded", charge, req);
  scheduleCompletion(ctx, refund.id);
  return ctx.state.expand(ctx.state.view(refund), p.expandList(params));
}

export function retrieveRefund(ctx: SandboxContext, id: string, params: Params): Json {
  p.allowOnly(params, ["expand"]);
  return ctx.state.expand(ctx.state.view(find(ctx, id)), p.expandList(params));
}

export function scheduleCompletion(ctx: SandboxContext, id: string): void {
  const delay = ctx.refundDelayMs();
  if (delay === null) return;
  const cancel = ctx.scheduler.after(delay, () => {
    ctx.refundTimers.delete(id);
    if (ctx.state.refunds.get(id)?.status === "pending") settleRefund(ctx, id, "succeeded");
  });
  ctx.refundTimers.set(id, cancel);
}

// Moves a refund to its final status. A succeeded refund can still fail later (e.g. a closed card), as on Stripe.
export function settleRefund(
  ctx: SandboxContext,
  id: string,
  outcome: "succeeded" | "failed",
  failureReason = "expired_or_canceled_card",
): Refund {
  const refund = find(ctx, id);
  const allowed = outcome === "succeeded" ? ["pending"] : ["pending", "succeeded"];
  if (!allowed.includes(refund.status)) {
    throw invalidRequest(`Refund ${id} has status ${refund.status} and cannot become ${outcome}.`, {
      code: "refund_unexpected_state",
    });
  }
  ctx.refundTimers.get(id)?.();
  ctx.refundTimers.delete(id);
  const previous = { status: refund.status };
  refund.status = outcome;
  if (outcome === "failed") {
    refund.failure_reason = failureReason;
    const charge = ctx.state.charges.get(refund.charge);
    if (charge) syncRefunded(ctx.state, charge);
  }
  ctx.emit("refund.updated", refund, null, previous);
  if (outcome === "failed") ctx.emit("refund.failed", refund, null);
  return refund;
}
