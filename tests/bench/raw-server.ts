// The raw baseline: a tiny node:http server that answers the benchmarked routes with the SQL the
// product sends, through plain `pg` (pool of 20, like the runtime), verifying the same HS256 tokens
// and calling its own in-process Stripe sandbox for PaymentIntents — no middy, zod, Kysely or SDK.
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { jwtVerify } from "jose";
import pg from "pg";
import { createFieldCipher } from "@evently/core/payments/crypto";
import { LOCAL_DEFAULTS } from "@evently/local/env-defaults";
import { startStripeSandbox } from "@evently/stripe-sandbox";
import { ISO_US, PARTICIPATION_VIEW, rawSeatHold, rawUpsertUser } from "./lib/raw-sql";

const BIGINT_OID = 20;
const NUMERIC_OID = 1700;
const types = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === BIGINT_OID || oid === NUMERIC_OID ? Number : pg.types.getTypeParser(oid, format),
} as pg.CustomTypesConfig;
const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: Number(process.env.DB_POOL_MAX) || 20, types });
pool.on("error", () => undefined);

let statements = 0;
const q = <R extends pg.QueryResultRow>(client: Pick<pg.Pool, "query">, text: string, values?: unknown[]) => {
  statements++;
  return client.query<R>(text, values);
};
const counting = (client: pg.PoolClient): pg.PoolClient =>
  new Proxy(client, {
    get(target, key) {
      if (key === "query") return (text: string, values?: unknown[]) => q(target, text, values);
      const value = Reflect.get(target, key) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

const secret = new TextEncoder().encode(process.env.LOCAL_JWT_SECRET ?? "local-dev-secret");
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET ?? "whsec_local_dev";
// The product's own field cipher with the local keys: the rows it writes read back like the runtime's.
const { encrypt, blindIndex } = createFieldCipher(LOCAL_DEFAULTS.DATA_KEY, LOCAL_DEFAULTS.BLIND_INDEX_KEY);

const users = new Map<string, string>();
async function actor(req: http.IncomingMessage): Promise<{ userId: string; sub: string } | undefined> {
  const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  if (!token) return undefined;
  const { payload } = await jwtVerify(token, secret, { algorithms: ["HS256"] });
  const sub = String(payload.sub);
  let userId = users.get(sub);
  if (!userId) {
    userId = await rawUpsertUser(
      { query: (t: string, v?: unknown[]) => q(pool, t, v) } as Pick<pg.Pool, "query">,
      sub,
      String(payload.email ?? ""),
      [],
    );
    users.set(sub, userId);
  }
  return { userId, sub };
}

const readBody = (req: http.IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": randomUUID() });
  res.end(JSON.stringify(body));
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

async function eventDetail(eventId: string, withEvent: boolean) {
  const e = (
    await q<Record<string, unknown> & { id: string; capacity: number; seats_taken: number; status: string }>(
      pool,
      `select "events".*, array(select ec.category_id::text from event_categories ec where ec.event_id = events.id order by ec.category_id) as "category_ids" from "events" where "events"."id" = $1`,
      [eventId],
    )
  ).rows[0];
  if (!e || e.status === "draft") return undefined;
  const [types, waitlisted] = await Promise.all([
    q<
      Record<string, unknown> & {
        id: string;
        quantity: number | null;
        quantity_taken: number;
        price_minor: number;
        currency: string;
        active: boolean;
      }
    >(pool, `select * from "ticket_types" where "event_id" = $1 order by "sort_order", "created_at", "id"`, [eventId]),
    q<{ n: string }>(pool, `select count(*) as "n" from "participations" where "event_id" = $1 and "status" = $2`, [eventId, "waitlisted"]),
  ]);
  const available = Math.max(0, e.capacity - e.seats_taken);
  const availability = {
    capacity: e.capacity,
    seatsTaken: e.seats_taken,
    available,
    waitlisted: Number(waitlisted.rows[0]?.n ?? 0),
    ticketTypes: types.rows.map((t) => ({
      id: t.id,
      available: t.quantity === null ? available : Math.max(0, Math.min(available, t.quantity - t.quantity_taken)),
      onSale: e.status === "published" && t.active,
      currentPrice: { amountMinor: t.price_minor, currency: t.currency },
    })),
  };
  if (!withEvent) return availability;
  const camel = (row: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()),
        v instanceof Date ? v.toISOString() : v,
      ]),
    );
  return { ...camel(e), ticketTypes: types.rows.map(camel), availability };
}

async function rsvp(eventId: string, who: { userId: string }) {
  const e = (
    await q<{ kind: string; status: string; full: boolean; ended: boolean }>(
      pool,
      `select "kind", "status", "published_at", "waitlist_enabled", seats_taken >= capacity as "full", ends_at <= now() as "ended" from "events" where "id" = $1`,
      [eventId],
    )
  ).rows[0];
  if (!e || e.kind !== "rsvp" || e.status !== "published") return { status: 404, body: { code: "not_found" } };
  const client = counting(await pool.connect());
  let id: string | undefined;
  try {
    await client.query("begin");
    await client.query(
      "select set_config('app.actor_id', $1, true), set_config('app.change_reason', $2, true), set_config('app.ip_address', $3, true), set_config('app.user_agent', $4, true)",
      [who.userId, "RSVP", "", ""],
    );
    const inserted = await client.query<{ id: string }>(
      `insert into "participations" ("event_id", "user_id", "kind", "status", "quantity", "waitlisted_at", "created_by", "updated_by") values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict ("user_id", "event_id") do nothing returning "id"`,
      [eventId, who.userId, "rsvp", "active", 1, null, who.userId, who.userId],
    );
    id = inserted.rows[0]?.id;
    const seat = id
      ? await client.query(
          `update "events" set "seats_taken" = seats_taken + $1 where "id" = $2 and "status" = $3 and seats_taken + $4 <= capacity returning "id"`,
          [1, eventId, "published", 1],
        )
      : undefined;
    if (!id || !seat?.rowCount) {
      await client.query("rollback");
      return { status: 409, body: { code: id ? "event_full" : "already_registered" } };
    }
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const view = (await q(pool, PARTICIPATION_VIEW, [ISO_US, ISO_US, ISO_US, ISO_US, id])).rows[0];
  return { status: 201, body: view };
}

const stripeAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let sandboxUrl: URL;
function createIntent(
  paymentId: string,
  amount: number,
  description: string,
): Promise<{ id: string; client_secret: string; status: string }> {
  const form = new URLSearchParams({
    amount: String(amount),
    currency: "usd",
    description,
    "metadata[paymentId]": paymentId,
    "automatic_payment_methods[enabled]": "true",
  }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: sandboxUrl.hostname,
        port: sandboxUrl.port,
        method: "POST",
        path: "/v1/payment_intents",
        agent: stripeAgent,
        headers: {
          authorization: "Bearer sk_test_local",
          "content-type": "application/x-www-form-urlencoded",
          "idempotency-key": `evently-payment-${paymentId}-intent`,
          "content-length": Buffer.byteLength(form),
        },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(JSON.parse(body) as { id: string; client_secret: string; status: string })
            : reject(new Error(`sandbox ${res.statusCode}: ${body}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(form);
  });
}

async function order(eventId: string, who: { userId: string }, key: string, body: string) {
  const input = JSON.parse(body) as { ticketTypeId: string; quantity: number };
  const requestHash = createHash("sha256").update(body).digest("base64url");
  const claimed = await q(
    pool,
    `insert into "idempotency_keys" ("user_id", "scope", "key", "request_hash") values ($1, $2, $3, $4) on conflict do nothing returning "key"`,
    [who.userId, "orders:create", key, requestHash],
  );
  if (!claimed.rowCount) return { status: 409, body: { code: "idempotency_key_in_progress" } };
  const e = (
    await q<{
      title: string;
      ticket_type_id: string | null;
      event_status: string;
      capacity: number;
      seats_taken: number;
      quantity: number | null;
      quantity_taken: number | null;
      waitlist_enabled: boolean;
    }>(
      pool,
      `select "e"."id" as "event_id", "e"."kind", "e"."status" as "event_status", "e"."waitlist_enabled", "e"."title", "e"."organizer_id", "e"."capacity", "e"."seats_taken", "t"."quantity", "t"."quantity_taken", "t"."id" as "ticket_type_id", "t"."price_minor", "t"."currency", "t"."active", "t"."sales_start_at", "t"."sales_end_at", "t"."early_bird_price_minor", "t"."early_bird_until", "t"."group_min_quantity", "t"."group_discount_percent", "t"."sliding_scale_max_percent", "t"."min_per_order", "t"."max_per_order" from "events" as "e" left join "ticket_types" as "t" on "t"."event_id" = "e"."id" and "t"."id" = $1 where "e"."id" = $2`,
      [input.ticketTypeId, eventId],
    )
  ).rows[0];
  let result: { status: number; body: unknown };
  // Like createOrder: a buyer arriving after the last seat is answered from this read.
  const room = e ? Math.min(e.capacity - e.seats_taken, e.quantity === null ? Infinity : e.quantity - (e.quantity_taken ?? 0)) : 0;
  if (!e?.ticket_type_id || e.event_status !== "published") result = { status: 404, body: { code: "not_found" } };
  else if (room < input.quantity && !e.waitlist_enabled) result = { status: 409, body: { code: "sold_out" } };
  else {
    const client = counting(await pool.connect());
    let held: Awaited<ReturnType<typeof rawSeatHold>>;
    try {
      held = await rawSeatHold(client, { eventId, ticketTypeId: input.ticketTypeId, userId: who.userId });
    } finally {
      client.release();
    }
    if (!held.held) result = { status: 409, body: { code: "sold_out" } };
    else {
      const payment = (
        await q<{ id: string; amount_minor: number; currency: string; user_id: string }>(
          pool,
          `select "id", "amount_minor", "currency", "user_id", "provider_payment_id_enc" from "payments" where "id" = $1`,
          [held.paymentId],
        )
      ).rows[0]!;
      const intent = await createIntent(payment.id, payment.amount_minor, `Tickets: ${e.title}`);
      await q(
        pool,
        `update "payments" set "provider_payment_id_enc" = $1, "provider_payment_id_hash" = $2, "metadata" = metadata || $3::jsonb where "id" = $4 and "provider_payment_id_hash" is null`,
        [encrypt(intent.id), blindIndex(intent.id), JSON.stringify({ clientSecretEnc: encrypt(intent.client_secret) }), payment.id],
      );
      await q(
        pool,
        `insert into "payment_audit_log" ("payment_id", "action_type", "action_description", "user_id", "old_values", "new_values", "ip_address", "user_agent") values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          payment.id,
          "PaymentProcessed",
          "PaymentIntent created at the provider",
          payment.user_id,
          null,
          JSON.stringify({ providerStatus: intent.status }),
          null,
          null,
        ],
      );
      const o = (
        await q<Record<string, unknown>>(
          pool,
          `select "o"."id", "o"."participation_id", "o"."ticket_type_id", "o"."quantity", "o"."unit_price_minor", "o"."amount_minor", "o"."currency", "o"."sliding_scale_percent", "pc"."code" as "promo_code", "o"."hold_expires_at", "o"."created_at", "o"."user_id" from "orders" as "o" left join "promo_codes" as "pc" on "pc"."id" = "o"."promo_code_id" where "o"."id" = $1`,
          [held.orderId],
        )
      ).rows[0]!;
      const participation = (await q(pool, PARTICIPATION_VIEW, [ISO_US, ISO_US, ISO_US, ISO_US, o.participation_id])).rows[0];
      const pay = (
        await q<Record<string, unknown>>(
          pool,
          `select "id", "status", "amount_minor", "currency", "provider", "provider_payment_id_enc", "metadata", "user_id" from "payments" where "order_id" = $1 order by "created_at" desc limit $2`,
          [held.orderId, 1],
        )
      ).rows[0]!;
      result = {
        status: 201,
        body: {
          order: { ...o, hold_expires_at: iso(o.hold_expires_at as Date), created_at: iso(o.created_at as Date) },
          participation,
          payment: {
            id: pay.id,
            status: pay.status,
            amountMinor: pay.amount_minor,
            currency: pay.currency,
            provider: pay.provider,
            providerPaymentId: intent.id,
            clientSecret: intent.client_secret,
          },
        },
      };
    }
  }
  await q(
    pool,
    `update "idempotency_keys" set "status" = $1, "response_status" = $2, "response_body" = $3 where "user_id" = $4 and "scope" = $5 and "key" = $6`,
    ["completed", result.status, JSON.stringify(result.body), who.userId, "orders:create", key],
  );
  return result;
}

/** Stripe's signature scheme (t=…,v1=… over `${t}.${body}`), verified with node:crypto. */
function verifyStripe(body: string, header: string | undefined): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((kv) => kv.split("=") as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(Date.now() / 1000 - t) > 300 || !parts.v1) return false;
  const expected = createHmac("sha256", webhookSecret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage.rss()));
setInterval(sample, 20).unref();

const server = http.createServer((req, res) => {
  void (async () => {
    try {
      const url = new URL(req.url ?? "/", "http://raw");
      const m = /^\/events\/([0-9a-f-]{36})(\/availability|\/rsvp|\/orders)?$/.exec(url.pathname);
      if (req.method === "POST" && url.pathname === "/webhooks/stripe") {
        const body = await readBody(req);
        if (!verifyStripe(body, req.headers["stripe-signature"] as string | undefined))
          return json(res, 400, { code: "invalid_signature" });
        const event = JSON.parse(body) as { id: string; type: string };
        await q(pool, "INSERT INTO bench_raw_queue (body, event_id, type) VALUES ($1, $2, $3)", [body, event.id, event.type]);
        return json(res, 200, { received: true });
      }
      if (!m) return json(res, 404, { code: "not_found" });
      const [, eventId, sub] = m;
      if (req.method === "GET" && !sub) {
        const detail = await eventDetail(eventId!, true);
        return detail ? json(res, 200, detail) : json(res, 404, { code: "not_found" });
      }
      if (req.method === "GET" && sub === "/availability") {
        const availability = await eventDetail(eventId!, false);
        return availability ? json(res, 200, availability) : json(res, 404, { code: "not_found" });
      }
      const body = await readBody(req);
      const who = await actor(req).catch(() => undefined);
      if (!who) return json(res, 401, { code: "unauthorized" });
      if (req.method === "POST" && sub === "/rsvp") {
        const r = await rsvp(eventId!, who);
        return json(res, r.status, r.body);
      }
      if (req.method === "POST" && sub === "/orders") {
        const r = await order(eventId!, who, String(req.headers["idempotency-key"] ?? ""), body);
        return json(res, r.status, r.body);
      }
      return json(res, 405, { code: "method_not_allowed" });
    } catch (error) {
      console.error("raw server:", error);
      if (!res.headersSent) json(res, 500, { code: "internal_error" });
    }
  })();
});
server.keepAliveTimeout = 65_000;

const send = (message: Record<string, unknown>) => process.send?.(message);
try {
  await pool.query(
    "CREATE TABLE IF NOT EXISTS bench_raw_queue (id bigserial PRIMARY KEY, body text NOT NULL, event_id text, type text, created_at timestamptz NOT NULL DEFAULT now())",
  );
  const sandbox = await startStripeSandbox({ port: 0, webhookSecret });
  sandboxUrl = new URL(sandbox.url);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  process.on("message", (message: { cmd: string; id: number }) => {
    if (message.cmd === "stop") {
      server.closeAllConnections();
      server.close();
      void Promise.all([sandbox.stop(), pool.end()]).finally(() => process.exit(0));
    } else if (message.cmd === "memory") {
      sample();
      const mem = process.memoryUsage();
      send({ type: "memory", id: message.id, rss: mem.rss, peakRss, heapUsed: mem.heapUsed });
      peakRss = mem.rss;
    } else if (message.cmd === "statements") send({ type: "statements", id: message.id, count: statements });
    else send({ type: "error", id: message.id, message: `unknown command ${message.cmd}` });
  });
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", apiUrl: `http://127.0.0.1:${port}`, pid: process.pid });
} catch (error) {
  send({ type: "error", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
