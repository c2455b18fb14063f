// The cancel stage's SQL: a ticketed event sold out to `count` paid buyers (written directly, as the
// rows a completed checkout leaves), the baseline that cancels it in one statement, and the facts
// the exactly-once check reads afterwards.
import type pg from "pg";
import type { Actor } from "@evently/core/auth/actor";
import type { FieldCipher } from "@evently/core/payments/crypto";
import { createEvent, type BenchEvent } from "./fixtures";

type Queryable = Pick<pg.Pool, "query">;

export const PRICE_MINOR = 2500;

/**
 * One active ticket per member (the ticket trigger issues it), a confirmed order, a completed
 * payment with its encrypted PaymentIntent id and its ledger row, and the seat counters at `count`.
 */
export async function seedPaidEvent(
  db: Queryable,
  cipher: FieldCipher,
  organizerId: string,
  members: readonly Actor[],
  tag: string,
): Promise<BenchEvent> {
  const count = members.length;
  const event = await createEvent(db, organizerId, { kind: "ticketed", capacity: count, ticketQuantity: count, title: `Cancel ${tag}` });
  await db.query(
    `INSERT INTO participations (event_id, user_id, kind, status, quantity, ticket_type_id, created_at)
     SELECT $1, u, 'ticket', 'active', 1, $2, now() - interval '1 day' + n * interval '1 millisecond'
     FROM unnest($3::uuid[]) WITH ORDINALITY AS m(u, n)`,
    [event.eventId, event.ticketTypeId, members.map((m) => m.userId)],
  );
  await db.query(
    `INSERT INTO orders (participation_id, event_id, user_id, ticket_type_id, quantity, unit_price_minor, subtotal_minor, amount_minor, currency, status)
     SELECT id, event_id, user_id, ticket_type_id, 1, $2, $2, $2, 'USD', 'confirmed' FROM participations WHERE event_id = $1`,
    [event.eventId, PRICE_MINOR],
  );
  const intents = members.map((_, i) => `pi_bench_${tag}_${i.toString(36).padStart(6, "0")}`);
  await db.query(
    `INSERT INTO payments (order_id, user_id, status, amount_minor, currency, processed_at, provider_payment_id_enc, provider_payment_id_hash, card_brand, card_last4)
     SELECT o.id, o.user_id, 'completed', o.amount_minor, o.currency, now(), k.enc, k.hash, 'visa', '4242'
     FROM (SELECT o.*, row_number() OVER (ORDER BY o.created_at, o.id) AS n FROM orders o WHERE o.event_id = $1) o
     JOIN unnest($2::text[], $3::text[]) WITH ORDINALITY AS k(enc, hash, n) ON k.n = o.n`,
    [event.eventId, intents.map((i) => cipher.encrypt(i)), intents.map((i) => cipher.blindIndex(i))],
  );
  await db.query(
    `INSERT INTO payment_transactions (payment_id, type, amount_minor, currency, status, provider_reference, provider_response, processed_at)
     SELECT p.id, 'payment', p.amount_minor, p.currency, 'completed', 'evt_seed_' || p.id, '{"status": "succeeded"}', now()
     FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.event_id = $1`,
    [event.eventId],
  );
  await db.query(`UPDATE events SET seats_taken = $2 WHERE id = $1`, [event.eventId, count]);
  await db.query(`UPDATE ticket_types SET quantity_taken = $2 WHERE id = $1`, [event.ticketTypeId, count]);
  return event;
}

/**
 * The baseline: every row the product's cancellation writes — the event and its counters, each
 * participation (its tickets voided and its history recorded by the triggers), each order, a refund
 * with its audit row and its provider task per payment, the cancellation mail's outbox row and the
 * event's status history — in one statement inside one transaction. Returns the tasks written.
 */
export async function oneStatementCancel(client: pg.PoolClient, eventId: string, actorId: string, reason: string): Promise<number> {
  const refundReason = `Event cancelled: ${reason}`;
  await client.query("BEGIN");
  try {
    await client.query(`SELECT set_config('app.actor_id', $1, true), set_config('app.change_reason', $2, true)`, [actorId, reason]);
    const { rows } = await client.query<{ tasks: number }>(
      `WITH ev AS (
         UPDATE events SET status = 'cancelled', cancelled_at = now(), seats_taken = 0
         WHERE id = $1 AND status IN ('draft', 'published') RETURNING id, organizer_id
       ), types AS (
         UPDATE ticket_types SET quantity_taken = 0 WHERE event_id IN (SELECT id FROM ev) AND quantity_taken <> 0
       ), part AS (
         UPDATE participations SET status = 'cancelled', cancelled_at = now(), cancellation_reason = $3, hold_expires_at = NULL, updated_by = $2
         WHERE event_id IN (SELECT id FROM ev) AND status IN ('active', 'pending', 'waitlisted') RETURNING id, user_id
       ), ord AS (
         UPDATE orders SET status = 'cancelled' WHERE participation_id IN (SELECT id FROM part) AND status IN ('pending', 'confirmed') RETURNING id
       ), pay AS (
         SELECT id, currency, amount_minor - refunded_minor AS amount FROM payments
         WHERE order_id IN (SELECT id FROM ord) AND status IN ('completed', 'partially_refunded') FOR UPDATE
       ), refund AS (
         INSERT INTO refunds (payment_id, amount_minor, currency, reason, requested_by)
         SELECT id, amount, currency, $4, $2 FROM pay WHERE amount > 0 RETURNING id, payment_id, amount_minor
       ), audit AS (
         INSERT INTO payment_audit_log (payment_id, user_id, action_type, action_description, new_values)
         SELECT payment_id, $2, 'RefundInitiated', $4, jsonb_build_object('refundId', id, 'amountMinor', amount_minor) FROM refund
       ), task AS (
         INSERT INTO provider_tasks (kind, payment_id, refund_id) SELECT 'refund', payment_id, id FROM refund RETURNING id
       ), mail AS (
         INSERT INTO outbox (kind, recipient, recipient_user_id, payload, dedupe_key, event_id, participation_id)
         SELECT 'event_cancelled', u.email, u.id, jsonb_build_object('reason', $3::text), 'event_cancelled:' || p.id || ':cancelled', $1, p.id
         FROM part p JOIN users u ON u.id = p.user_id
       ), history AS (
         INSERT INTO event_status_history (event_id, previous_status, new_status, changed_by, reason)
         SELECT id, 'published', 'cancelled', $2, $3 FROM ev
       )
       SELECT (SELECT count(*) FROM task)::int AS tasks`,
      [eventId, actorId, reason, refundReason],
    );
    await client.query("COMMIT");
    return rows[0]!.tasks;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

export interface CancelFacts {
  payments: number;
  refunded: number;
  refunds: number;
  /** Payments with more than one refund row. */
  doubled: number;
  completedRefunds: number;
  validTickets: number;
  voidTickets: number;
  tasksSucceeded: number;
  tasksOther: number;
  /** Σ payment ledger rows, Σ refund ledger rows, Σ (amount − refunded) of the payments. */
  paid: number;
  refundedLedger: number;
  net: number;
  participations: Record<string, number>;
}

export async function cancelFacts(db: Queryable, eventId: string): Promise<CancelFacts> {
  const { rows } = await db.query<Omit<CancelFacts, "participations">>(
    `WITH pay AS (SELECT p.* FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.event_id = $1)
     SELECT
       (SELECT count(*) FROM pay)::int AS payments,
       (SELECT count(*) FROM pay WHERE status = 'refunded' AND refunded_minor = amount_minor)::int AS refunded,
       (SELECT count(*) FROM refunds r WHERE r.payment_id IN (SELECT id FROM pay))::int AS refunds,
       (SELECT count(*) FROM (SELECT 1 FROM refunds r WHERE r.payment_id IN (SELECT id FROM pay) GROUP BY r.payment_id HAVING count(*) > 1) d)::int AS doubled,
       (SELECT count(*) FROM refunds r WHERE r.payment_id IN (SELECT id FROM pay) AND r.status = 'completed')::int AS "completedRefunds",
       (SELECT count(*) FROM tickets WHERE event_id = $1 AND status = 'valid')::int AS "validTickets",
       (SELECT count(*) FROM tickets WHERE event_id = $1 AND status = 'void')::int AS "voidTickets",
       (SELECT count(*) FROM provider_tasks WHERE payment_id IN (SELECT id FROM pay) AND status = 'succeeded')::int AS "tasksSucceeded",
       (SELECT count(*) FROM provider_tasks WHERE payment_id IN (SELECT id FROM pay) AND status <> 'succeeded')::int AS "tasksOther",
       (SELECT coalesce(sum(amount_minor), 0) FROM payment_transactions WHERE payment_id IN (SELECT id FROM pay) AND type = 'payment' AND status = 'completed')::bigint::float8 AS paid,
       (SELECT coalesce(sum(amount_minor), 0) FROM payment_transactions WHERE payment_id IN (SELECT id FROM pay) AND type = 'refund' AND status = 'completed')::bigint::float8 AS "refundedLedger",
       (SELECT coalesce(sum(amount_minor - refunded_minor), 0) FROM pay)::bigint::float8 AS net`,
    [eventId],
  );
  const statuses = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM participations WHERE event_id = $1 GROUP BY status`,
    [eventId],
  );
  return { ...rows[0]!, participations: Object.fromEntries(statuses.rows.map((r) => [r.status, r.n])) };
}
