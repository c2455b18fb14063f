// The webhook processor's baseline: takes what the raw ingest queued (bench_raw_queue) in batches of
// 10 with 4 pollers, like the local queue, and applies each batch with the statements the product's
// batch path sends (intent re-reads first; then one transaction: claim every event id in one
// statement, each event's effects in created order, one statement for the outcomes, commit),
// through plain `pg`. Like the product, a failed batch is applied again event by event.
import http from "node:http";
import type pg from "pg";
import { rawFailed, rawSucceeded, type StripeEvent } from "./raw-webhook-effects";
import { sleep } from "./stats";

interface Item {
  event: StripeEvent;
  /** The intent's status re-read at the provider (payment_failed only), before the transaction. */
  current: string | null;
}

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

async function applyEffect(client: pg.PoolClient, { event, current }: Item, blindIndex: (plain: string) => string): Promise<string> {
  const hash = blindIndex(event.data.object.id);
  if (event.type === "payment_intent.succeeded") return rawSucceeded(client, event, hash);
  if (event.type !== "payment_intent.payment_failed") return `ignored: ${event.type} is not handled`;
  if (current === "succeeded" || current === "processing") return `stale: intent is ${current} now`;
  return rawFailed(client, event, hash);
}

/** One transaction for the batch; returns how many of its events were already processed. */
async function applyBatch(pool: pg.Pool, items: readonly Item[], blindIndex: (plain: string) => string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query("select set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)", ["29000ms", "23200ms"]);
    const claimed = await client.query<{ id: string }>(
      `insert into webhook_events (provider_event_id, type, status) select e.id, e.type, 'processed' from unnest($1::text[], $2::text[]) as e(id, type) order by e.id on conflict (provider_event_id) do update set status = 'processed', attempts = webhook_events.attempts + 1, error = null where webhook_events.status = 'failed' returning provider_event_id as id`,
      [items.map((i) => i.event.id), items.map((i) => i.event.type)],
    );
    const mine = new Set(claimed.rows.map((r) => r.id));
    const finished: Array<{ id: string; outcome: string }> = [];
    for (const item of items)
      if (mine.has(item.event.id)) finished.push({ id: item.event.id, outcome: await applyEffect(client, item, blindIndex) });
    await client.query(
      `update webhook_events as w set status = f.status, outcome = f.outcome, processed_at = now() from unnest($1::text[], $2::text[], $3::text[]) as f(id, status, outcome) where w.provider_event_id = f.id`,
      [finished.map((f) => f.id), finished.map(() => "processed"), finished.map((f) => f.outcome)],
    );
    await client.query("commit");
    return items.length - mine.size;
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
  blindIndex: (plain: string) => string,
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
        const events = rows.map((row) => JSON.parse(row.body) as StripeEvent);
        const distinct = events.filter((e, i) => events.findIndex((o) => o.id === e.id) === i);
        duplicates += events.length - distinct.length;
        const items = await Promise.all(
          distinct.map(async (event) => ({
            event,
            current:
              event.type === "payment_intent.payment_failed" ? (await retrieveIntent(sandbox, agent, event.data.object.id)).status : null,
          })),
        );
        items.sort((a, b) => a.event.created - b.event.created);
        try {
          duplicates += await applyBatch(pool, items, blindIndex);
        } catch {
          for (const item of items) duplicates += await applyBatch(pool, [item], blindIndex).catch(() => (failures++, 0));
        }
        handled += rows.length;
      }
    }),
  );
  agent.destroy();
  return { handled, duplicates, failures };
}
