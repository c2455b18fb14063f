// Abandoning in-flight payments (hold expired, order or event cancelled): cancelled in our books
// in the caller's transaction, their PaymentIntents cancelled by provider tasks after commit.
import { sql } from "kysely";
import type { Trx } from "../db/transaction";

/**
 * Marks pending or failed payments cancelled now rather than when the provider confirms, so none
 * stays pending forever (payment health alarms on those), with an audit row each and a
 * cancel_intent task each. If a buyer pays anyway, the succeeded webhook still completes the
 * payment (cancelled → completed is forward) and settlement re-seats or refunds it.
 * Returns the task ids.
 */
export async function abandonPayments(
  trx: Trx,
  paymentIds: readonly string[],
  why: { description: string; actorId: string | null },
): Promise<string[]> {
  if (paymentIds.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    WITH before AS (
      SELECT id, status FROM payments WHERE id = ANY(${[...paymentIds]}::uuid[]) AND status IN ('pending', 'failed') FOR UPDATE
    ), moved AS (
      UPDATE payments p SET status = 'cancelled', processed_at = now() FROM before b WHERE p.id = b.id
      RETURNING p.id, b.status AS old_status
    ), audit AS (
      INSERT INTO payment_audit_log (payment_id, user_id, action_type, action_description, old_values, new_values)
      SELECT id, ${why.actorId}, 'SystemAction', ${why.description},
        jsonb_build_object('status', old_status), jsonb_build_object('status', 'cancelled')
      FROM moved
    )
    INSERT INTO provider_tasks (kind, payment_id) SELECT 'cancel_intent', id FROM moved
    ON CONFLICT ON CONSTRAINT provider_tasks_work_key DO NOTHING
    RETURNING id`.execute(trx);
  return rows.map((r) => r.id);
}
