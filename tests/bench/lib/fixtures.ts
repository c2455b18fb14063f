// Bench data made with plain SQL: members in bulk, and published events (RSVP or ticketed) ready to sell.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Actor } from "@evently/core/auth/actor";

type Queryable = Pick<pg.Pool, "query">;

/** `count` members with subs `${prefix}-0…`, as the API would create them; ids in order. */
export async function createMembers(db: Queryable, prefix: string, count: number): Promise<Actor[]> {
  const { rows } = await db.query<{ id: string; external_id: string; email: string; n: number }>(
    `INSERT INTO users (external_id, email) SELECT $1 || '-' || g, $1 || '-' || g || '@example.test' FROM generate_series(0, $2::int - 1) g
     RETURNING id, external_id, email, substring(external_id from '[0-9]+$')::int AS n`,
    [prefix, count],
  );
  rows.sort((a, b) => a.n - b.n);
  return rows.map((r) => ({ sub: r.external_id, email: r.email, roles: ["member"], userId: r.id }));
}

export async function createOrganizer(db: Queryable): Promise<{ id: string; sub: string }> {
  const sub = `bench-org-${randomUUID()}`;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (external_id, email, roles) VALUES ($1, $1 || '@example.test', '{organizer}') RETURNING id`,
    [sub],
  );
  return { id: rows[0]!.id, sub };
}

export interface BenchEvent {
  eventId: string;
  ticketTypeId: string | null;
}

/** A published event starting in 30 days; ticketed ones get one 25.00 USD ticket type. */
export async function createEvent(
  db: Queryable,
  organizerId: string,
  o: {
    kind: "rsvp" | "ticketed";
    capacity: number;
    ticketQuantity?: number | null;
    waitlist?: boolean;
    title?: string;
    categories?: number;
  },
): Promise<BenchEvent> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO events (organizer_id, title, description, kind, status, starts_at, ends_at, capacity, location, waitlist_enabled, published_at)
     VALUES ($1, $2, 'Benchmark event', $3, 'published', now() + interval '30 days', now() + interval '30 days 2 hours', $4, 'Main hall', $5, now())
     RETURNING id`,
    [organizerId, o.title ?? `Bench ${o.kind} event`, o.kind, o.capacity, o.waitlist ?? false],
  );
  const eventId = rows[0]!.id;
  for (let c = 0; c < (o.categories ?? 0); c++) {
    const slug = `bench-${randomUUID().slice(0, 8)}`;
    await db.query(
      `WITH c AS (INSERT INTO categories (name, slug) VALUES ($1, $1) RETURNING id) INSERT INTO event_categories (event_id, category_id) SELECT $2, id FROM c`,
      [slug, eventId],
    );
  }
  if (o.kind === "rsvp") return { eventId, ticketTypeId: null };
  const type = await db.query<{ id: string }>(
    `INSERT INTO ticket_types (event_id, name, price_minor, currency, quantity, max_per_order) VALUES ($1, 'General', 2500, 'USD', $2, 10) RETURNING id`,
    [eventId, o.ticketQuantity ?? null],
  );
  return { eventId, ticketTypeId: type.rows[0]!.id };
}

/** Holds and seat counters of one event, as the invariants state them. */
export async function seatFacts(db: Queryable, eventId: string) {
  const { rows } = await db.query<{
    seats_taken: number;
    capacity: number;
    pending: number;
    active: number;
    other: number;
    intents: number;
    distinct_intents: number;
  }>(
    `SELECT e.seats_taken, e.capacity,
       (SELECT count(*)::int FROM participations WHERE event_id = e.id AND status = 'pending') AS pending,
       (SELECT count(*)::int FROM participations WHERE event_id = e.id AND status = 'active') AS active,
       (SELECT count(*)::int FROM participations WHERE event_id = e.id AND status NOT IN ('pending', 'active')) AS other,
       (SELECT count(pay.provider_payment_id_hash)::int FROM payments pay JOIN orders o ON o.id = pay.order_id WHERE o.event_id = e.id) AS intents,
       (SELECT count(DISTINCT pay.provider_payment_id_hash)::int FROM payments pay JOIN orders o ON o.id = pay.order_id WHERE o.event_id = e.id) AS distinct_intents
     FROM events e WHERE e.id = $1`,
    [eventId],
  );
  return rows[0]!;
}
