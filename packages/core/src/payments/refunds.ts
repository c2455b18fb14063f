// Refunds an organizer or admin asks for: reserved against the payment under its row lock, in the
// transaction that also claims the Idempotency-Key and records the provider task; sent after
// commit (or by the worker and sweep); completion or failure arrives by webhook.
import { sql } from "kysely";
import * as z from "zod";
import { requireRole, type Actor } from "../auth/actor";
import { afterCommit, useTransaction, type Trx } from "../db/transaction";
import { DomainError, notFound } from "../errors";
import { parseInput, text } from "../shared/validation";
import { claimKey, findEarlier, KeyTaken, ReplayedAnswer, type IdempotencyRequest } from "../idempotency";
import { MAX_MONEY_MINOR } from "../money";
import { failpoint } from "../shared/failpoints";
import type { PaymentsDeps, RequestMeta } from "./deps";
import { managesPayment, refundView, type RefundView } from "./payment-views";
import type { Payment } from "./payments.table";
import { lockPayment } from "./payments.repository";
import { dispatchTasks } from "./provider-tasks";
import { reserveRefunds } from "./refund-reservations";

export interface RefundInput {
  amountMinor: number;
  reason: string;
}

/** The same limits as the route's schema, for callers that bypass HTTP. */
export const RefundInput = z.strictObject({ amountMinor: z.number().int().min(1).max(MAX_MONEY_MINOR), reason: text(10, 1000) });

const REFUNDABLE: readonly Payment["status"][] = ["completed", "partially_refunded", "refunded"];

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

const ACCEPTED = 202;

/**
 * POST /payments/{id}/refunds → 202 with the refund, status processing. With a key, the answer
 * is final at commit (the refund's provider call is a task), so it is stored with the refund and
 * a retry replays it, whatever happened after the commit.
 */
export async function requestRefund(
  deps: PaymentsDeps,
  actor: Actor,
  paymentId: string,
  input: RefundInput,
  meta: RequestMeta = {},
  key?: IdempotencyRequest,
): Promise<RefundView> {
  requireRole(actor, "organizer");
  const { amountMinor, reason } = parseInput(RefundInput, input);
  const owner = await deps.db
    .selectFrom("payments as p")
    .innerJoin("orders as o", "o.id", "p.orderId")
    .innerJoin("events as e", "e.id", "o.eventId")
    .select("e.organizerId")
    .where("p.id", "=", paymentId)
    .executeTakeFirst();
  if (!owner || !managesPayment(actor, owner.organizerId)) throw notFound("Payment");
  const earlier = key ? await findEarlier(deps.db, key) : undefined;
  if (earlier) return replay(earlier);

  try {
    return await useTransaction(deps.db, async (trx) => {
      // FOR UPDATE serializes concurrent requests: each one sees the refunds the previous reserved.
      const payment = await lockPayment(trx, paymentId);
      if (!payment) throw notFound("Payment");
      if (!REFUNDABLE.includes(payment.status)) throw new DomainError("invalid_state", `A ${payment.status} payment cannot be refunded`);
      const rest = await refundableRest(trx, payment);
      if (amountMinor > rest) {
        throw new DomainError(
          "refund_exceeds_payment",
          `At most ${Math.max(rest, 0)} ${payment.currency} minor units can still be refunded`,
          { refundableMinor: Math.max(rest, 0) },
        );
      }
      const [reserved] = await reserveRefunds(trx, [{ paymentId, amountMinor }], {
        reason,
        requestedBy: actor.userId,
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      if (!reserved) throw new Error("refund reservation returned no row");
      const view = await refundView(trx, reserved.refundId);
      if (key) await claimKey(trx, key, { resourceId: reserved.refundId, status: ACCEPTED, done: true, body: view });
      await afterCommit(() => failpoint("refund.after-commit"));
      await afterCommit(() => dispatchTasks(deps, [reserved.taskId], { tryNow: true }));
      await afterCommit(() => failpoint("refund.before-response"));
      return view;
    });
  } catch (error) {
    if (!(error instanceof KeyTaken) || !key) throw error;
    const first = await findEarlier(deps.db, key);
    if (!first) throw error;
    return replay(first);
  }
}

/** A refund request's answer is always final at commit, so an earlier one is replayed as stored. */
function replay(earlier: Awaited<ReturnType<typeof findEarlier>> & object): never {
  const status = earlier.kind === "done" ? earlier.status : ACCEPTED;
  const body = earlier.kind === "done" ? earlier.body : null;
  throw new ReplayedAnswer(status, body);
}
