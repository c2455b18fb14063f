// Refunds are reserved against their payment in the caller's transaction, each with the provider
// task that will send it (provider-tasks.ts); one statement however many payments are refunded.
import { isIP } from "node:net";
import { sql } from "kysely";
import type { Trx } from "../db/transaction";

export interface RefundRequest {
  paymentId: string;
  /** Omitted: everything still refundable (amount − refunded − refunds on their way). */
  amountMinor?: number;
}

export interface RefundContext {
  reason: string;
  /** Null when the system refunds on its own. */
  requestedBy: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export interface ReservedRefund {
  refundId: string;
  paymentId: string;
  amountMinor: number;
  taskId: string;
}

/**
 * Inserts the refunds, their RefundInitiated audit rows and their refund tasks. Call it with the
 * payments locked (FOR UPDATE), or two callers could reserve the same rest. Payments with
 * nothing left to refund get no row.
 */
export async function reserveRefunds(trx: Trx, requests: readonly RefundRequest[], ctx: RefundContext): Promise<ReservedRefund[]> {
  if (requests.length === 0) return [];
  const wanted = JSON.stringify(requests.map((r) => ({ payment_id: r.paymentId, amount_minor: r.amountMinor ?? null })));
  // inet column: an address it would reject is dropped rather than failing the refund.
  const ip = ctx.ip && isIP(ctx.ip) ? ctx.ip : null;
  const { rows } = await sql<ReservedRefund>`
    WITH wanted AS (
      SELECT * FROM jsonb_to_recordset(${wanted}::jsonb) AS w(payment_id uuid, amount_minor bigint)
    ), amounts AS (
      SELECT p.id, p.currency, coalesce(w.amount_minor, p.amount_minor - p.refunded_minor
        - coalesce((SELECT sum(r.amount_minor) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'processing'), 0)) AS amount
      FROM wanted w JOIN payments p ON p.id = w.payment_id
    ), refund AS (
      INSERT INTO refunds (payment_id, amount_minor, currency, reason, requested_by)
      SELECT id, amount, currency, ${ctx.reason}, ${ctx.requestedBy} FROM amounts WHERE amount > 0
      RETURNING id, payment_id, amount_minor
    ), audit AS (
      INSERT INTO payment_audit_log (payment_id, user_id, action_type, action_description, new_values, ip_address, user_agent)
      SELECT payment_id, ${ctx.requestedBy}, 'RefundInitiated', ${ctx.reason},
        jsonb_build_object('refundId', id, 'amountMinor', amount_minor), ${ip}::inet, ${ctx.userAgent ?? null}
      FROM refund
    ), task AS (
      INSERT INTO provider_tasks (kind, payment_id, refund_id) SELECT 'refund', payment_id, id FROM refund
      RETURNING id, refund_id
    )
    SELECT refund.id AS refund_id, refund.payment_id, refund.amount_minor, task.id AS task_id
    FROM refund JOIN task ON task.refund_id = refund.id`.execute(trx);
  return rows;
}
