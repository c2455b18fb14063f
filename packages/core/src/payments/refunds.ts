// Refunds an organizer or admin asks for: reserved against the payment under its row lock, sent to
// the provider after commit; completion (or failure) arrives by webhook.
import { sql } from "kysely";
import * as z from "zod";
import { requireRole, type Actor } from "../auth/actor";
import { afterCommit, useTransaction, type Trx } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { parseInput, text } from "../events/validation";
import { MAX_MONEY_MINOR } from "../money";
import type { PaymentsDeps, RequestMeta } from "./deps";
import { managesPayment, refundView, type RefundView } from "./payment-views";
import type { Payment } from "./payments.table";
import { lockPayment } from "./payments.repository";
import { startRefund, submitRefund } from "./refund-submission";

export interface RefundInput {
  amountMinor: number;
  reason: string;
}

/** The same limits as the route's schema, for callers that bypass HTTP. */
const Input = z.strictObject({ amountMinor: z.number().int().min(1).max(MAX_MONEY_MINOR), reason: text(10, 1000) });

const REFUNDABLE: readonly Payment["status"][] = ["completed", "partially_refunded"];

/**
 * What may still be refunded: the amount minus what came back and what is on its way. Call it
 * with the payment locked, or two requests could both reserve the same rest.
 */
export async function refundableRest(trx: Trx, payment: Pick<Payment, "id" | "amountMinor" | "refundedMinor">): Promise<number> {
  const inFlight = await trx
    .selectFrom("refunds")
    .select(sql<number>`coalesce(sum(amount_minor), 0)::bigint`.as("n"))
    .where("paymentId", "=", payment.id)
    .where("status", "=", "processing")
    .executeTakeFirstOrThrow();
  return payment.amountMinor - payment.refundedMinor - inFlight.n;
}

/**
 * Sends a refund after commit. A provider outage must not turn a committed refund into a 5xx (a
 * client retry would then reserve a second one): the row stays processing without a provider id
 * and resubmitRefund / the payment-health sweep sends it again under the same idempotency key.
 */
export const submitAfterCommit = (deps: PaymentsDeps, refundId: string) => afterCommit(() => submitRefund(deps, refundId).catch(() => undefined));

/** POST /payments/{id}/refunds → 202 with the refund, status processing. */
export async function requestRefund(deps: PaymentsDeps, actor: Actor, paymentId: string, input: RefundInput, meta: RequestMeta = {}): Promise<RefundView> {
  requireRole(actor, "organizer");
  const { amountMinor, reason } = parseInput(Input, input);
  const owner = await deps.db
    .selectFrom("payments as p")
    .innerJoin("orders as o", "o.id", "p.orderId")
    .innerJoin("events as e", "e.id", "o.eventId")
    .select("e.organizerId")
    .where("p.id", "=", paymentId)
    .executeTakeFirst();
  if (!owner || !managesPayment(actor, owner.organizerId)) throw notFound("Payment");

  const refundId = await useTransaction(deps.db, async (trx) => {
    // FOR UPDATE serializes concurrent requests: each one sees the refunds the previous reserved.
    const payment = await lockPayment(trx, paymentId);
    if (!payment) throw notFound("Payment");
    if (!REFUNDABLE.includes(payment.status)) throw new DomainError("invalid_state", `A ${payment.status} payment cannot be refunded`);
    const rest = await refundableRest(trx, payment);
    if (amountMinor > rest) {
      throw new DomainError("refund_exceeds_payment", `At most ${Math.max(rest, 0)} ${payment.currency} minor units can still be refunded`, { refundableMinor: Math.max(rest, 0) });
    }
    const refund = await startRefund(trx, { paymentId, amountMinor, currency: payment.currency, reason, requestedBy: actor.userId, ip: meta.ip ?? null, userAgent: meta.userAgent ?? null });
    await submitAfterCommit(deps, refund.id);
    return refund.id;
  });
  return refundView(deps.db, refundId);
}
