// The raw webhook baseline's per-event effects: the statements the product's handlers send for
// payment_intent.succeeded and payment_intent.payment_failed (captured from its Kysely queries,
// same order: intent lookup by blind index, payment lock, settlement, order-confirmed mail).
import type pg from "pg";

export interface IntentObject {
  id: string;
  status: string;
  metadata?: { paymentId?: string };
  latest_charge?: string | null;
  last_payment_error?: { code?: string; decline_code?: string; message?: string } | null;
}

export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  data: { object: IntentObject };
}

type Client = Pick<pg.PoolClient, "query">;

const RANK: Record<string, number> = { pending: 0, failed: 1, cancelled: 2, completed: 3, partially_refunded: 4, refunded: 5 };

const AUDIT = `insert into "payment_audit_log" ("payment_id", "action_type", "action_description", "user_id", "old_values", "new_values", "ip_address", "user_agent") values ($1, $2, $3, $4, $5, $6, $7, $8)`;

async function lockedPayment(client: Client, intentHash: string) {
  const owner = (await client.query<{ id: string }>(`select "id" from "payments" where "provider_payment_id_hash" = $1`, [intentHash]))
    .rows[0];
  if (!owner) return undefined;
  return (
    await client.query<{ id: string; order_id: string; status: string; amount_minor: number; currency: string }>(
      `select * from "payments" where "id" = $1 for update`,
      [owner.id],
    )
  ).rows[0];
}

/** payment_intent.succeeded: settleSucceeded's statements for a live hold, then the order-confirmed mail. */
export async function rawSucceeded(client: Client, event: StripeEvent, intentHash: string): Promise<string> {
  const payment = await lockedPayment(client, intentHash);
  if (!payment) return "ignored: no payment for this intent";
  if (RANK.completed! <= RANK[payment.status]!) return `stale: payment already ${payment.status}`;
  const order = (await client.query<{ id: string; participation_id: string }>(`select * from "orders" where "id" = $1`, [payment.order_id]))
    .rows[0]!;
  const participation = (
    await client.query<{ id: string; status: string }>(`select * from "participations" where "id" = $1 for update`, [
      order.participation_id,
    ])
  ).rows[0]!;
  await client.query(`select "id" from "orders" where "participation_id" = $1 order by "created_at" desc limit $2`, [participation.id, 1]);
  await client.query(`update "payments" set "status" = $1, "processed_at" = now(), "card_brand" = $2, "card_last4" = $3 where "id" = $4`, [
    "completed",
    null,
    null,
    payment.id,
  ]);
  await client.query(
    `insert into "payment_transactions" ("payment_id", "type", "amount_minor", "currency", "status", "provider_reference", "processed_at") values ($1, $2, $3, $4, $5, $6, now())`,
    [payment.id, "payment", payment.amount_minor, payment.currency, "completed", event.id],
  );
  await client.query(AUDIT, [
    payment.id,
    "PaymentCompleted",
    "Payment succeeded at the provider",
    null,
    JSON.stringify({ status: payment.status }),
    JSON.stringify({ status: "completed" }),
    null,
    null,
  ]);
  await client.query(
    `update "participations" set "status" = $1, "cancelled_at" = $2, "cancellation_reason" = $3, "hold_expires_at" = $4 where "id" = $5 and "status" in ($6, $7, $8) returning *`,
    ["active", null, null, null, participation.id, "pending", "active", "cancelled"],
  );
  await client.query(`update "orders" set "status" = $1, "hold_expires_at" = $2 where "id" = $3`, ["confirmed", null, order.id]);
  await rawOrderConfirmedMail(client, order.id, participation.id);
  return "completed: participation active";
}

/** notifyOrderConfirmed: the order's money facts, the participation's mail context, one outbox row. */
async function rawOrderConfirmedMail(client: Client, orderId: string, participationId: string): Promise<void> {
  const order = (
    await client.query(
      `select "o"."id", "o"."participation_id", "o"."quantity", "o"."amount_minor", "o"."currency", "o"."promo_discount_minor", "t"."name" as "ticket_type_name" from "orders" as "o" inner join "ticket_types" as "t" on "t"."id" = "o"."ticket_type_id" where "o"."id" = $1`,
      [orderId],
    )
  ).rows[0] as Record<string, unknown>;
  const ctx = (
    await client.query<{ id: string; user_id: string; email: string | null; event_id: string; title: string }>(
      `select "p"."id", "p"."kind", "p"."status", "p"."quantity", "p"."hold_expires_at", "p"."user_id", "u"."email", "e"."id" as "event_id", "e"."title", "e"."starts_at", "e"."ends_at", "e"."timezone", "e"."location" from "participations" as "p" inner join "users" as "u" on "u"."id" = "p"."user_id" inner join "events" as "e" on "e"."id" = "p"."event_id" where "p"."id" = $1`,
      [participationId],
    )
  ).rows[0];
  if (!ctx?.email) return;
  await client.query(
    `insert into "outbox" ("kind", "recipient", "recipient_user_id", "payload", "dedupe_key", "event_id", "participation_id", "order_id", "refund_id") values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict ("dedupe_key") do nothing returning "id"`,
    [
      "order_confirmed",
      ctx.email,
      ctx.user_id,
      JSON.stringify({ event: { id: ctx.event_id, title: ctx.title }, participation: { id: ctx.id }, order, tickets: [] }),
      `order_confirmed:${orderId}`,
      ctx.event_id,
      ctx.id,
      orderId,
      null,
    ],
  );
}

/** payment_intent.payment_failed (not stale at the provider): settleFailed's statements. */
export async function rawFailed(client: Client, event: StripeEvent, intentHash: string): Promise<string> {
  const payment = await lockedPayment(client, intentHash);
  if (!payment) return "ignored: no payment for this intent";
  if (RANK.failed! <= RANK[payment.status]!) return `stale: payment already ${payment.status}`;
  const previous = (
    await client.query<{ n: number }>(`select count(*)::int as "n" from "payment_failures" where "payment_id" = $1`, [payment.id])
  ).rows[0]!;
  await client.query(`update "payments" set "status" = $1, "processed_at" = now() where "id" = $2`, ["failed", payment.id]);
  const error = event.data.object.last_payment_error;
  await client.query(
    `insert into "payment_failures" ("payment_id", "failure_code", "failure_message", "retry_count") values ($1, $2, $3, $4)`,
    [payment.id, error?.code ?? error?.decline_code ?? "payment_failed", error?.message ?? "The payment failed", previous.n],
  );
  await client.query(AUDIT, [
    payment.id,
    previous.n > 0 ? "PaymentRetried" : "PaymentFailed",
    error?.message ?? "Payment failed at the provider",
    null,
    JSON.stringify({ status: payment.status }),
    JSON.stringify({ status: "failed", code: error?.code ?? null }),
    null,
    null,
  ]);
  return "failed: failure recorded, hold kept until expiry";
}
