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
