// The webhook processor's baseline: takes what the raw ingest queued (bench_raw_queue) in batches of
// 10 with 4 pollers, like the local queue, and applies each event with the statements the product's
// processor sends (inbox claim, payment lock, settlement, finish) through plain `pg`.
import http from "node:http";
import type pg from "pg";
import { sleep } from "./stats";

interface IntentObject {
  id: string;
  status: string;
  metadata?: { paymentId?: string };
  latest_charge?: string | null;
  last_payment_error?: { code?: string; decline_code?: string; message?: string } | null;
}

interface StripeEvent {
  id: string;
  type: string;
  data: { object: IntentObject };
}

const RANK: Record<string, number> = { pending: 0, failed: 1, cancelled: 2, completed: 3, partially_refunded: 4, refunded: 5 };

function retrieveIntent(sandbox: URL, agent: http.Agent, id: string): Promise<{ status: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: sandbox.hostname,
        port: sandbox.port,
        path: `/v1/payment_intents/${id}`,
        method: "GET",
        agent,
        headers: { authorization: "Bearer sk_test_local" },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () =>
          res.statusCode === 200 ? resolve(JSON.parse(body) as { status: string }) : reject(new Error(`sandbox ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function apply(pool: pg.Pool, event: StripeEvent, currentStatus: string | null): Promise<"applied" | "duplicate"> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const claimed = await client.query(
      `insert into "webhook_events" ("provider_event_id", "type", "status") values ($1, $2, $3) on conflict ("provider_event_id") do update set "status" = $4, "attempts" = webhook_events.attempts + 1, "error" = $5 where "webhook_events"."status" = $6 returning "id"`,
      [event.id, event.type, "processed", "processed", null, "failed"],
    );
    if (!claimed.rowCount) {
      await client.query("commit");
      return "duplicate";
    }
    const intent = event.data.object;
    const paymentId = intent.metadata?.paymentId;
    let outcome = "ignored";
    if (paymentId && event.type === "payment_intent.succeeded") {
      const payment = (
        await client.query<{ id: string; order_id: string; status: string; amount_minor: number; currency: string }>(
          `select * from "payments" where "id" = $1 for update`,
          [paymentId],
        )
      ).rows[0];
      if (payment && RANK.completed! > RANK[payment.status]!) {
        const order = (
          await client.query<{ id: string; participation_id: string }>(`select * from "orders" where "id" = $1`, [payment.order_id])
        ).rows[0]!;
        const participation = (
          await client.query<{ id: string; status: string }>(`select * from "participations" where "id" = $1 for update`, [
            order.participation_id,
          ])
        ).rows[0]!;
        await client.query(`select "id" from "orders" where "participation_id" = $1 order by "created_at" desc limit $2`, [
          participation.id,
          1,
        ]);
        await client.query(
          `update "payments" set "status" = $1, "processed_at" = now(), "card_brand" = $2, "card_last4" = $3 where "id" = $4`,
          ["completed", null, null, payment.id],
        );
        await client.query(
          `insert into "payment_transactions" ("payment_id", "type", "amount_minor", "currency", "status", "provider_reference", "processed_at") values ($1, $2, $3, $4, $5, $6, now())`,
          [payment.id, "payment", payment.amount_minor, payment.currency, "completed", event.id],
        );
        await client.query(
          `insert into "payment_audit_log" ("payment_id", "action_type", "action_description", "user_id", "old_values", "new_values", "ip_address", "user_agent") values ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            payment.id,
            "PaymentCompleted",
            "Payment succeeded at the provider",
            null,
            JSON.stringify({ status: payment.status }),
            JSON.stringify({ status: "completed" }),
            null,
            null,
          ],
        );
        await client.query(
          `update "participations" set "status" = $1, "cancelled_at" = $2, "cancellation_reason" = $3, "hold_expires_at" = $4 where "id" = $5 and "status" in ($6, $7, $8) returning *`,
          ["active", null, null, null, participation.id, "pending", "active", "cancelled"],
        );
        await client.query(`update "orders" set "status" = $1, "hold_expires_at" = $2 where "id" = $3`, ["confirmed", null, order.id]);
        outcome = "completed: participation active";
      } else outcome = "stale";
    } else if (
      paymentId &&
      event.type === "payment_intent.payment_failed" &&
      currentStatus !== "succeeded" &&
      currentStatus !== "processing"
    ) {
      const payment = (
        await client.query<{ id: string; status: string }>(`select * from "payments" where "id" = $1 for update`, [paymentId])
      ).rows[0];
      if (payment && RANK.failed! > RANK[payment.status]!) {
        const previous = (
          await client.query<{ n: number }>(`select count(*)::int as "n" from "payment_failures" where "payment_id" = $1`, [payment.id])
        ).rows[0]!;
        await client.query(`update "payments" set "status" = $1, "processed_at" = now() where "id" = $2`, ["failed", payment.id]);
        await client.query(
          `insert into "payment_failures" ("payment_id", "failure_code", "failure_message", "retry_count") values ($1, $2, $3, $4)`,
          [
            payment.id,
            intent.last_payment_error?.decline_code ?? "payment_failed",
            intent.last_payment_error?.message ?? "The payment failed",
            previous.n,
          ],
        );
        await client.query(
          `insert into "payment_audit_log" ("payment_id", "action_type", "action_description", "user_id", "old_values", "new_values", "ip_address", "user_agent") values ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            payment.id,
            previous.n > 0 ? "PaymentRetried" : "PaymentFailed",
            "Payment failed at the provider",
            null,
            JSON.stringify({ status: payment.status }),
            JSON.stringify({ status: "failed" }),
            null,
            null,
          ],
        );
        outcome = "failed: failure recorded";
      } else outcome = "stale";
    }
    await client.query(`update "webhook_events" set "status" = $1, "outcome" = $2, "processed_at" = now() where "provider_event_id" = $3`, [
      "processed",
      outcome,
      event.id,
    ]);
    await client.query("commit");
    return "applied";
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Processes queued raw events until `expected` deliveries were handled; returns when done. */
export async function runRawProcessor(
  pool: pg.Pool,
  sandbox: URL,
  expected: number,
  options: { pollers?: number; batchSize?: number } = {},
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  let handled = 0;
  let duplicates = 0;
  let failures = 0;
  const pollers = options.pollers ?? 4;
  const batchSize = options.batchSize ?? 10;
  await Promise.all(
    Array.from({ length: pollers }, async () => {
      while (handled < expected) {
        const { rows } = await pool.query<{ body: string }>(
          `DELETE FROM bench_raw_queue WHERE id IN (SELECT id FROM bench_raw_queue ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING body`,
          [batchSize],
        );
        if (rows.length === 0) {
          await sleep(20);
          continue;
        }
        await Promise.all(
          rows.map(async (row) => {
            const event = JSON.parse(row.body) as StripeEvent;
            try {
              const current =
                event.type === "payment_intent.payment_failed" ? (await retrieveIntent(sandbox, agent, event.data.object.id)).status : null;
              if ((await apply(pool, event, current)) === "duplicate") duplicates++;
            } catch {
              failures++;
            }
            handled++;
          }),
        );
      }
    }),
  );
  agent.destroy();
  return { handled, duplicates, failures };
}
