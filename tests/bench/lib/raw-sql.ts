// The baselines' SQL: the statements the product sends (captured from its Kysely queries), issued
// with plain `pg`, so a ratio against them measures what the product adds around the same SQL.
import type pg from "pg";

type Queryable = Pick<pg.PoolClient, "query">;

export const ISO_US = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';

/** The seat-hold transaction of createOrder (payments/orders.ts, ticketing/seats.ts): same statements, same order. */
export async function rawSeatHold(
  client: Queryable,
  o: { eventId: string; ticketTypeId: string; userId: string; holdTtlSeconds?: number },
): Promise<{ held: boolean; orderId?: string; paymentId?: string }> {
  await client.query("begin");
  try {
    await client.query(
      "select set_config('app.actor_id', $1, true), set_config('app.change_reason', $2, true), set_config('app.ip_address', $3, true), set_config('app.user_agent', $4, true)",
      [o.userId, "", "", ""],
    );
    const p = await client.query<{ id: string; hold_expires_at: Date }>(
      `insert into "participations" ("event_id", "user_id", "kind", "status", "quantity", "ticket_type_id", "hold_expires_at", "waitlisted_at", "metadata", "created_by", "updated_by")
       values ($1, $2, 'ticket', 'pending', 1, $3, now() + make_interval(secs => $4), NULL::timestamptz, '{}'::jsonb, $2, $2)
       on conflict ("user_id", "event_id") do update set "status" = 'pending', "cancelled_at" = null where "participations"."status" in ('cancelled', 'refunded')
       returning *`,
      [o.eventId, o.userId, o.ticketTypeId, o.holdTtlSeconds ?? 900],
    );
    const participation = p.rows[0];
    if (!participation) throw new Error("already registered");
    const ids = await client.query<{ order_id: string; payment_id: string }>(
      `WITH o AS (
        INSERT INTO orders (participation_id, event_id, user_id, ticket_type_id, quantity, unit_price_minor, early_bird_applied, group_discount_minor,
          promo_code_id, promo_discount_minor, sliding_scale_percent, sliding_scale_discount_minor, subtotal_minor, amount_minor, currency, status, hold_expires_at)
        VALUES ($1, $2, $3, $4, 1, 2500, false, 0, NULL, 0, 0, 0, 2500, 2500, 'USD', 'pending', $5) RETURNING id
      ), p AS (
        INSERT INTO payments (order_id, user_id, amount_minor, currency, sliding_scale_percent) SELECT o.id, $3, 2500, 'USD', 0 FROM o RETURNING id
      ), a AS (
        INSERT INTO payment_audit_log (payment_id, user_id, action_type, action_description, new_values, ip_address, user_agent)
        SELECT p.id, $3, 'PaymentInitiated', 'Order placed; seats held until payment', jsonb_build_object('status', 'pending', 'amountMinor', 2500::bigint, 'currency', 'USD'::text), NULL::inet, NULL FROM p
      )
      SELECT o.id AS order_id, (SELECT id FROM p) AS payment_id FROM o`,
      [participation.id, o.eventId, o.userId, o.ticketTypeId, participation.hold_expires_at],
    );
    // Both counters in one statement, event row first (ticketing/seats.ts takeSeats).
    const seat = await client.query<{ seat: boolean; type: boolean }>(
      `WITH seat AS (
        UPDATE events SET seats_taken = seats_taken + $1 WHERE id = $2 AND status = 'published' AND seats_taken + $1 <= capacity RETURNING id
      ), type AS (
        UPDATE ticket_types SET quantity_taken = quantity_taken + $1
        WHERE id = $3 AND event_id = $2 AND EXISTS (SELECT 1 FROM seat) AND (quantity IS NULL OR quantity_taken + $1 <= quantity)
        RETURNING id
      )
      SELECT EXISTS (SELECT 1 FROM seat) AS seat, EXISTS (SELECT 1 FROM type) AS type`,
      [1, o.eventId, o.ticketTypeId],
    );
    if (!seat.rows[0]?.seat || !seat.rows[0].type) {
      await client.query("rollback");
      return { held: false };
    }
    await client.query("commit");
    return { held: true, orderId: ids.rows[0]!.order_id, paymentId: ids.rows[0]!.payment_id };
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  }
}

/** users.repository upsertFromClaims: the first request of a new caller. */
export async function rawUpsertUser(client: Queryable, sub: string, email: string, roles: string[]): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `WITH upserted AS (
      INSERT INTO users (external_id, email, roles) VALUES ($1, $2, $3::text[])
      ON CONFLICT (external_id) DO UPDATE SET email = excluded.email, roles = excluded.roles
        WHERE (users.email, users.roles) IS DISTINCT FROM (excluded.email, excluded.roles)
      RETURNING *
    )
    SELECT * FROM upserted UNION ALL SELECT * FROM users WHERE external_id = $4 AND NOT EXISTS (SELECT 1 FROM upserted) LIMIT 1`,
    [sub, email, roles, sub],
  );
  return rows[0]!.id;
}

/** The Participation view (ticketing/views.ts selectParticipations) of one row. */
export const PARTICIPATION_VIEW = `select "p"."id", "p"."event_id", "p"."user_id", "p"."kind", "p"."status", "p"."quantity",
  CASE WHEN p.status = 'waitlisted' THEN (SELECT count(*)::int FROM participations w WHERE w.event_id = p.event_id AND w.status = 'waitlisted'
    AND (w.waitlisted_at, w.id) <= (p.waitlisted_at, p.id)) END as "waitlist_position",
  to_char("p"."hold_expires_at" AT TIME ZONE 'UTC', $1) as "hold_expires_at", to_char("p"."created_at" AT TIME ZONE 'UTC', $2) as "created_at",
  to_char("p"."cancelled_at" AT TIME ZONE 'UTC', $3) as "cancelled_at", to_char("ci"."checked_in_at" AT TIME ZONE 'UTC', $4) as "checked_in_at"
  from "participations" as "p" left join "check_ins" as "ci" on "ci"."participation_id" = "p"."id" where "p"."id" in ($5)`;
