// Settling cancelled tickets — the one path that buyer cancel, organizer cancel, event cancel and
// hold expiry share: the live order ends, captured money is refunded in full (unless the organizer
// says not to), an in-flight payment is abandoned. Set-based, so a 10,000-ticket event settles in
// a handful of statements; the provider calls follow as tasks once the transaction commits.
import { sql } from "kysely";
import { afterCommit, type Trx } from "../db/transaction";
import type { CancelEventHooks } from "../events/lifecycle";
import { failpoint } from "../shared/failpoints";
import type { PaymentsDeps } from "./deps";
import { abandonPayments } from "./abandon";
import { dispatchTasks } from "./provider-tasks";
import { reserveRefunds } from "./refund-reservations";

export interface Settlement {
  /** What the participations' live orders become: `expired` for a hold that ran out. */
  orderStatus: "cancelled" | "expired";
  /** Give captured money back in full; false when an organizer cancels without a refund. */
  refund: boolean;
  /** Why, for refund rows and audit entries (10–1,000 characters once trimmed). */
  reason: string;
  actorId: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Try the provider calls right after commit (default: only a single one); the rest go to the worker. */
  tryNow?: boolean;
}

export interface SettleCounts {
  ordersEnded: number;
  refunds: number;
  paymentsAbandoned: number;
}

const MAX_REASON = 1000;

/**
 * Call it in the transaction that moved the participations out of pending/active (and released
 * their seats). Participations without an order (RSVPs, waitlisted buyers) are ignored.
 */
export async function settleCancelledTickets(
  trx: Trx,
  deps: PaymentsDeps,
  participationIds: readonly string[],
  s: Settlement,
): Promise<SettleCounts> {
  if (participationIds.length === 0) return { ordersEnded: 0, refunds: 0, paymentsAbandoned: 0 };
  const orders = await trx
    .updateTable("orders")
    .set({ status: s.orderStatus })
    .where(sql<boolean>`participation_id = ANY(${[...participationIds]}::uuid[])`)
    .where("status", "in", ["pending", "confirmed"])
    .returning("id")
    .execute();
  if (orders.length === 0) return { ordersEnded: 0, refunds: 0, paymentsAbandoned: 0 };
  // Locked so the refundable rest cannot change under the reservation below.
  const payments = await trx
    .selectFrom("payments")
    .select(["id", "status"])
    .where(sql<boolean>`order_id = ANY(${orders.map((o) => o.id)}::uuid[])`)
    .forUpdate()
    .execute();

  const captured = payments.filter((p) => p.status === "completed" || p.status === "partially_refunded");
  const inFlight = payments.filter((p) => p.status === "pending" || p.status === "failed");
  const reason = s.reason.slice(0, MAX_REASON);
  const refunds = s.refund
    ? await reserveRefunds(
        trx,
        captured.map((p) => ({ paymentId: p.id })),
        { reason, requestedBy: s.actorId, ip: s.ip, userAgent: s.userAgent },
      )
    : [];
  const cancels = await abandonPayments(
    trx,
    inFlight.map((p) => p.id),
    { description: reason, actorId: s.actorId },
  );

  const taskIds = [...refunds.map((r) => r.taskId), ...cancels];
  // A single task is tried at once (the caller is usually waiting on it); a bulk goes to the worker.
  if (taskIds.length > 0) await afterCommit(() => dispatchTasks(deps, taskIds, { tryNow: s.tryNow ?? taskIds.length === 1 }));
  return { ordersEnded: orders.length, refunds: refunds.length, paymentsAbandoned: cancels.length };
}

/**
 * What an event's cancellation does to its tickets' money, inside its transaction: every captured
 * payment refunded in full, every payment in flight abandoned. The handler passes it:
 * `cancelEvent(db, actor, id, { reason }, eventCancellationHooks(deps, actor))`.
 */
export function eventCancellationHooks(deps: PaymentsDeps, actor: { userId: string }): Required<CancelEventHooks> {
  return {
    onParticipationsCancelled: async (trx, participations, reason) => {
      const tickets = participations.filter((p) => p.kind === "ticket").map((p) => p.id);
      await afterCommit(() => failpoint("event-cancel.after-commit"));
      await settleCancelledTickets(trx, deps, tickets, {
        orderStatus: "cancelled",
        refund: true,
        reason: `Event cancelled: ${reason ?? "cancelled by the organizer"}`,
        actorId: actor.userId,
      });
    },
  };
}
