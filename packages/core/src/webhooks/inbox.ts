// The webhook inbox: an event id is claimed in the same transaction as its effect, so a
// redelivery finds it and does nothing (docs/ARCHITECTURE.md, invariant 3). Failed attempts stay visible.
import { sql } from "kysely";
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";

export interface InboxEvent {
  id: string;
  type: string;
}

/** True when this transaction owns the event: new, or a previous attempt failed. */
export async function claim(trx: Trx, event: InboxEvent): Promise<boolean> {
  const row = await trx
    .insertInto("webhookEvents")
    .values({ providerEventId: event.id, type: event.type, status: "processed" })
    .onConflict((oc) =>
      oc
        .column("providerEventId")
        .doUpdateSet({ status: "processed", attempts: sql`webhook_events.attempts + 1`, error: null })
        .where("webhookEvents.status", "=", "failed"),
    )
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Claims a whole batch's event ids in one statement; returns the ids this transaction owns. Rows are
 * inserted in id order, so two batches sharing ids wait on each other instead of deadlocking.
 * The ids must be distinct (ON CONFLICT DO UPDATE may not touch one row twice).
 */
export async function claimAll(trx: Trx, events: readonly InboxEvent[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    insert into webhook_events (provider_event_id, type, status)
    select e.id, e.type, 'processed'
    from unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.type)}::text[]) as e(id, type)
    order by e.id
    on conflict (provider_event_id) do update set status = 'processed', attempts = webhook_events.attempts + 1, error = null
      where webhook_events.status = 'failed'
    returning provider_event_id as id`.execute(trx);
  return new Set(rows.map((r) => r.id));
}

export interface Finished {
  eventId: string;
  status: "processed" | "ignored";
  outcome: string;
}

/** Records the outcomes of a batch's claimed events in one statement. */
export async function finishAll(trx: Trx, finished: readonly Finished[]): Promise<void> {
  if (finished.length === 0) return;
  await sql`
    update webhook_events as w set status = f.status, outcome = f.outcome, processed_at = now()
    from unnest(${finished.map((f) => f.eventId)}::text[], ${finished.map((f) => f.status)}::text[], ${finished.map((f) => f.outcome)}::text[])
      as f(id, status, outcome)
    where w.provider_event_id = f.id`.execute(trx);
}

export async function finish(trx: Trx, eventId: string, status: "processed" | "ignored", outcome: string): Promise<void> {
  await trx
    .updateTable("webhookEvents")
    .set({ status, outcome, processedAt: sql`now()` })
    .where("providerEventId", "=", eventId)
    .execute();
}

/** Records a failed attempt outside the rolled-back transaction, for payment-health and operators. */
export async function recordFailure(db: Db, event: InboxEvent, error: unknown): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
  await db
    .insertInto("webhookEvents")
    .values({ providerEventId: event.id, type: event.type, status: "failed", error: message })
    .onConflict((oc) =>
      oc
        .column("providerEventId")
        .doUpdateSet({ attempts: sql`webhook_events.attempts + 1`, error: message })
        .where("webhookEvents.status", "=", "failed"),
    )
    .execute();
}
