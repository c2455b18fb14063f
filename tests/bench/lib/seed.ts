// The scale generator for stage 1: users, events, ticket types, participations, check-ins, orders,
// payments and transactions, written by INSERT … SELECT generate_series inside PostgreSQL.
//
// Ids are deterministic (seedId: md5 of a tag and a number, as a v4-shaped uuid), so every table is derived from a
// counter without lookups: participation i belongs to user i / 10 and to event
// (user·37 + (i mod 10)·E/10) mod E — ten distinct events per user, 100 participations per event.
// Every fifth event is ticketed: its participations are tickets with an order, a payment and its
// transactions. Five "big" ticketed events get 400 more active participants each (500 in all),
// for stage 1's admin participant list.
import { createHash } from "node:crypto";
import type pg from "pg";

export interface SeedScale {
  users: number;
  events: number;
  /** Participations per user (10: 100,000 users × 10 = 1,000,000). */
  perUser: number;
  /** Rows per INSERT statement of the participations, for progress lines. */
  chunk: number;
}

export interface SeedTiming {
  table: string;
  rows: number;
  ms: number;
}

export interface SeedResult {
  timings: SeedTiming[];
  totalMs: number;
  counts: Record<string, number>;
  organizerId: string;
  adminId: string;
  bigEvents: string[];
}

export const BIG_EVENTS = [0, 5, 10, 15, 20];
export const BIG_EXTRA = 400;

/**
 * The deterministic uuid of a seeded row: the md5 hex digest of tag + number with the version
 * nibble set to 4 and the variant to 8, so it is a valid RFC 9562 uuid (zod's z.uuid() checks).
 */
export function seedId(tag: "u" | "e" | "t" | "p", n: number): string {
  const h = createHash("md5").update(`${tag}${n}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
}

/** seedId in SQL, for an expression such as `'u' || g`. */
const uid = (expr: string) => `overlay(overlay(md5(${expr}) placing '4' from 13) placing '8' from 17)::uuid`;

/**
 * Drops the non-constraint indexes of `tables` and returns their definitions (pg_get_indexdef), so
 * the same indexes can be built once after a bulk load: the schema ends up identical.
 */
export async function dropSecondaryIndexes(client: pg.Client, tables: string[]): Promise<Array<{ name: string; def: string }>> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
     WHERE c.relname = ANY($1) AND c.relnamespace = 'public'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    [tables],
  );
  for (const index of rows) await client.query(`DROP INDEX ${index.name}`);
  return rows;
}

export async function seed(
  client: pg.Client,
  scale: SeedScale,
  progress: (what: string, done: number, total: number) => void,
): Promise<SeedResult> {
  const { users: U, events: E, perUser } = scale;
  if (E % 10 !== 0 || E < 30) throw new Error("events must be a multiple of 10 and at least 30");
  const N = U * perUser;
  const timings: SeedTiming[] = [];
  const started = performance.now();
  const step = async (table: string, sql: string, params: unknown[] = []): Promise<number> => {
    const t = performance.now();
    const r = await client.query(sql, params);
    const rows = r.rowCount ?? 0;
    const last = timings.find((x) => x.table === table);
    if (last) {
      last.rows += rows;
      last.ms += performance.now() - t;
    } else timings.push({ table, rows, ms: performance.now() - t });
    return rows;
  };

  // Bulk load: no triggers (history, updated_at) and no FK checks for this session; the generator
  // keeps every reference valid by construction, and the counters are recomputed at the end.
  await client.query("SET session_replication_role = replica");
  await client.query("SET synchronous_commit = off");
  await client.query("SET maintenance_work_mem = '512MB'");
  await client.query("SET work_mem = '64MB'");

  // Secondary indexes are built once after the load instead of maintained row by row.
  const indexes = await dropSecondaryIndexes(client, [
    "users",
    "participations",
    "check_ins",
    "orders",
    "payments",
    "payment_transactions",
    "refunds",
    "payment_audit_log",
  ]);

  const org = await client.query<{ id: string }>(
    `INSERT INTO users (external_id, email, roles) VALUES ('bench-organizer', 'bench-organizer@example.test', '{organizer}') RETURNING id`,
  );
  const admin = await client.query<{ id: string }>(
    `INSERT INTO users (external_id, email, roles) VALUES ('bench-admin', 'bench-admin@example.test', '{admin}') RETURNING id`,
  );
  const organizerId = org.rows[0]!.id;
  const adminId = admin.rows[0]!.id;

  for (let lo = 0; lo < U; lo += scale.chunk * 2) {
    const hi = Math.min(U, lo + scale.chunk * 2) - 1;
    await step(
      "users",
      `INSERT INTO users (id, external_id, email, created_at)
       SELECT ${uid("'u' || g")}, 'bench-u-' || g, 'bench-u-' || g || '@example.test', now() - (g % 900) * interval '1 day'
       FROM generate_series($1::int, $2::int) g`,
      [lo, hi],
    );
    progress("seeding users", hi + 1, U);
  }

  // Half in the past year, half in the next; the big events are upcoming.
  await step(
    "events",
    `INSERT INTO events (id, organizer_id, title, description, kind, status, starts_at, ends_at, capacity, location,
       waitlist_enabled, published_at, created_at, updated_at)
     SELECT ${uid("'e' || g")}, $1, 'Bench event ' || g, 'Seeded for the benchmark',
       CASE WHEN g % 5 = 0 THEN 'ticketed' ELSE 'rsvp' END, 'published', s.starts, s.starts + interval '2 hours',
       CASE WHEN g = ANY($3::int[]) THEN 600 ELSE 300 END, 'Hall ' || (g % 50), g % 3 = 0,
       s.starts - interval '60 days', s.starts - interval '90 days', s.starts - interval '60 days'
     FROM generate_series(0, $2::int - 1) g,
       LATERAL (SELECT CASE WHEN g = ANY($3::int[]) THEN now() + (30 + g) * interval '1 day'
                ELSE now() + ((g * 7919) % 730 - 365) * interval '1 day' + (g % 24) * interval '1 hour' END AS starts) s`,
    [organizerId, E, BIG_EVENTS],
  );
  progress("seeding events", E, E);

  await step(
    "ticket_types",
    `INSERT INTO ticket_types (id, event_id, name, price_minor, currency, sliding_scale_max_percent)
     SELECT ${uid("'t' || g")}, ${uid("'e' || g")}, 'General', 2500, 'USD', 50 FROM generate_series(0, $1::int - 1, 5) g`,
    [E],
  );

  // Participations: status by a multiplicative hash of i; big events all active.
  for (let lo = 0; lo < N; lo += scale.chunk) {
    const hi = Math.min(N, lo + scale.chunk) - 1;
    await step(
      "participations",
      `INSERT INTO participations (id, event_id, user_id, kind, status, quantity, ticket_type_id, hold_expires_at,
         waitlisted_at, cancelled_at, cancellation_reason, created_at, updated_at)
       SELECT ${uid("'p' || i")}, ${uid("'e' || e")}, ${uid("'u' || u")},
         CASE WHEN ticket THEN 'ticket' ELSE 'rsvp' END, st, 1,
         CASE WHEN ticket THEN ${uid("'t' || e")} END,
         CASE WHEN st = 'pending' THEN now() + interval '15 minutes' END,
         CASE WHEN st = 'waitlisted' THEN created END,
         CASE WHEN st IN ('cancelled', 'refunded') THEN created + interval '1 day' END,
         CASE WHEN st IN ('cancelled', 'refunded') THEN 'seeded' END,
         created, created
       FROM (
         SELECT i, i / $3 AS u, ((i / $3) * 37 + (i % $3) * ($4 / 10)) % $4 AS e,
           ((i::bigint * 2654435761) % 100) AS h, now() - ((i::bigint * 7919) % 400) * interval '1 day' - (i % 1440) * interval '1 minute' AS created
         FROM generate_series($1::int, $2::int) i
       ) s,
       LATERAL (SELECT s.e % 5 = 0 AS ticket) k,
       LATERAL (SELECT CASE
         WHEN s.e = ANY($5::int[]) THEN 'active'
         WHEN s.h < 85 THEN 'active'
         WHEN k.ticket THEN (CASE WHEN s.h < 90 THEN 'pending' WHEN s.h < 95 THEN 'cancelled' ELSE 'refunded' END)
         ELSE (CASE WHEN s.h < 90 THEN 'waitlisted' ELSE 'cancelled' END) END AS st) z`,
      [lo, hi, perUser, E, BIG_EVENTS],
    );
    progress("seeding participations", hi + 1, N);
  }

  // 400 more per big event, from users whose ten generated events can never include it.
  await step(
    "participations",
    `INSERT INTO participations (event_id, user_id, kind, status, quantity, ticket_type_id, created_at, updated_at)
     SELECT ${uid("'e' || b")}, ${uid("'u' || c.u")}, 'ticket', 'active', 1, ${uid("'t' || b")},
       now() - (c.u % 300) * interval '1 minute', now()
     FROM unnest($1::int[]) b,
       LATERAL (SELECT u FROM generate_series(0, $2::int - 1) u WHERE (u * 37) % ($3 / 10) <> b % ($3 / 10) ORDER BY u LIMIT $4) c`,
    [BIG_EVENTS, U, E, BIG_EXTRA],
  );
  progress("seeding participations (big events)", BIG_EVENTS.length * BIG_EXTRA, BIG_EVENTS.length * BIG_EXTRA);

  await step(
    "check_ins",
    `INSERT INTO check_ins (participation_id, checked_in_at)
     SELECT id, created_at + interval '1 day' FROM participations WHERE status = 'active' AND ('x' || left(id::text, 2))::bit(8)::int % 10 = 0`,
  );
  progress("seeding check_ins", timings.find((t) => t.table === "check_ins")!.rows, timings.find((t) => t.table === "check_ins")!.rows);

  await step(
    "orders",
    `INSERT INTO orders (participation_id, event_id, user_id, ticket_type_id, quantity, unit_price_minor, subtotal_minor, amount_minor,
       currency, status, hold_expires_at, sliding_scale_percent, sliding_scale_discount_minor, created_at, updated_at)
     SELECT p.id, p.event_id, p.user_id, p.ticket_type_id, 1, 2500, 2500, 2500 - pct * 25, 'USD',
       CASE p.status WHEN 'active' THEN 'confirmed' WHEN 'pending' THEN 'pending' ELSE 'cancelled' END,
       p.hold_expires_at, pct, pct * 25, p.created_at, p.created_at
     FROM participations p, LATERAL (SELECT (('x' || left(p.id::text, 2))::bit(8)::int % 4) * 10 AS pct) s
     WHERE p.kind = 'ticket'`,
  );
  progress("seeding orders", timings.find((t) => t.table === "orders")!.rows, timings.find((t) => t.table === "orders")!.rows);

  await step(
    "payments",
    `INSERT INTO payments (order_id, user_id, status, amount_minor, currency, sliding_scale_percent, refunded_minor, processed_at,
       refunded_at, card_brand, card_last4, created_at, updated_at)
     SELECT o.id, o.user_id, s.status, o.amount_minor, 'USD', o.sliding_scale_percent,
       CASE WHEN s.status = 'refunded' THEN o.amount_minor ELSE 0 END,
       CASE WHEN s.status IN ('completed', 'refunded', 'cancelled') THEN o.created_at + interval '2 minutes' END,
       CASE WHEN s.status = 'refunded' THEN o.created_at + interval '3 days' END,
       CASE WHEN s.status IN ('completed', 'refunded') THEN 'visa' END, CASE WHEN s.status IN ('completed', 'refunded') THEN '4242' END,
       o.created_at, o.created_at
     FROM orders o JOIN participations p ON p.id = o.participation_id,
       LATERAL (SELECT CASE p.status WHEN 'active' THEN 'completed' WHEN 'pending' THEN 'pending' WHEN 'refunded' THEN 'refunded' ELSE 'cancelled' END AS status) s`,
  );
  const payments = timings.find((t) => t.table === "payments")!.rows;
  progress("seeding payments", payments, payments);

  await step(
    "payment_transactions",
    `INSERT INTO payment_transactions (payment_id, type, amount_minor, currency, status, provider_reference, provider_response, processed_at, created_at)
     SELECT id, 'payment', amount_minor, 'USD', 'completed', 'evt_seed_' || left(id::text, 8), '{"status": "succeeded", "intent": "capture"}', processed_at, processed_at
     FROM payments WHERE status IN ('completed', 'refunded')`,
  );
  await step(
    "refunds",
    `INSERT INTO refunds (payment_id, amount_minor, currency, reason, status, processed_at, created_at, updated_at)
     SELECT id, amount_minor, 'USD', 'Seeded refund for the benchmark', 'completed', refunded_at, refunded_at, refunded_at
     FROM payments WHERE status = 'refunded'`,
  );
  await step(
    "payment_transactions",
    `INSERT INTO payment_transactions (payment_id, refund_id, type, amount_minor, currency, status, provider_reference, provider_response, processed_at, created_at)
     SELECT r.payment_id, r.id, 'refund', r.amount_minor, 'USD', 'completed', 'evt_seed_r_' || left(r.id::text, 8), '{"status": "succeeded"}', r.processed_at, r.processed_at
     FROM refunds r`,
  );
  // The audit trail the order and webhook paths write: initiated, then completed / refunded.
  await step(
    "payment_audit_log",
    `INSERT INTO payment_audit_log (payment_id, user_id, action_type, action_description, new_values, created_at)
     SELECT id, user_id, 'PaymentInitiated', 'Order placed; seats held until payment', jsonb_build_object('status', 'pending', 'amountMinor', amount_minor), created_at
     FROM payments`,
  );
  await step(
    "payment_audit_log",
    `INSERT INTO payment_audit_log (payment_id, action_type, action_description, old_values, new_values, created_at)
     SELECT id, 'PaymentCompleted', 'Payment succeeded at the provider', '{"status": "pending"}'::jsonb, '{"status": "completed"}'::jsonb, processed_at
     FROM payments WHERE status IN ('completed', 'refunded')
     UNION ALL
     SELECT payment_id, 'RefundCompleted', 'Refund completed at the provider', NULL::jsonb, jsonb_build_object('refundId', id), processed_at FROM refunds`,
  );
  const audits = timings.find((t) => t.table === "payment_audit_log")!.rows;
  progress("seeding payment_audit_log", audits, audits);
  const txs = timings.find((t) => t.table === "payment_transactions")!.rows;
  progress("seeding payment_transactions", txs, txs);

  // The counters the product keeps: seats held by active and pending participations.
  await step(
    "counters",
    `UPDATE events e SET seats_taken = s.n FROM (
       SELECT event_id, sum(quantity)::int AS n FROM participations WHERE status IN ('active', 'pending') GROUP BY event_id) s
     WHERE e.id = s.event_id`,
  );
  await step(
    "counters",
    `UPDATE ticket_types t SET quantity_taken = s.n FROM (
       SELECT ticket_type_id, sum(quantity)::int AS n FROM participations WHERE status IN ('active', 'pending') AND ticket_type_id IS NOT NULL GROUP BY ticket_type_id) s
     WHERE t.id = s.ticket_type_id`,
  );
  let rebuilt = 0;
  for (const index of indexes) {
    await step("secondary indexes (built after the load)", index.def);
    progress("building secondary indexes", ++rebuilt, indexes.length);
  }
  await client.query("RESET session_replication_role");
  const analyzeStarted = performance.now();
  await client.query("VACUUM ANALYZE");
  timings.push({ table: "VACUUM ANALYZE", rows: 0, ms: performance.now() - analyzeStarted });

  const counts: Record<string, number> = {};
  for (const table of [
    "users",
    "events",
    "ticket_types",
    "participations",
    "check_ins",
    "orders",
    "payments",
    "payment_transactions",
    "refunds",
    "payment_audit_log",
  ]) {
    counts[table] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  }
  const big = await client.query<{ id: string }>(`SELECT ${uid("'e' || b")}::text AS id FROM unnest($1::int[]) b`, [BIG_EVENTS]);
  return { timings, totalMs: performance.now() - started, counts, organizerId, adminId, bigEvents: big.rows.map((r) => r.id) };
}
