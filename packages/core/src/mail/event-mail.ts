// Mail about an event as a whole: its time or place changed, or it starts soon.
import { sql } from "kysely";
import type { Db } from "../db/client";
import { useTransaction, type Trx } from "../db/transaction";
import type { EventRow } from "../events/events.table";
import { enqueueForParticipants } from "./bulk";
import { causeId } from "./outbox";

const PLACE_AND_TIME = ["startsAt", "endsAt", "timezone", "location", "venueId"] as const;

const same = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

/**
 * Called in the edit's transaction with the row before and after: if the time or place changed,
 * every active or pending participant is told, once per edit.
 */
export async function notifyEventChanged(trx: Trx, before: EventRow, after: EventRow): Promise<number> {
  if (PLACE_AND_TIME.every((k) => same(before[k], after[k]))) return 0;
  const previous = JSON.stringify({
    previous: { startsAt: before.startsAt.toISOString(), endsAt: before.endsAt.toISOString(), location: before.location },
  });
  return enqueueForParticipants(trx, {
    kind: "event_changed",
    where: sql<boolean>`p.event_id = ${after.id} AND p.status IN ('active', 'pending')`,
    causeSuffix: sql`${await causeId(trx)}::text`,
    extra: sql`${previous}::jsonb`,
  });
}

export interface ReminderOptions {
  /** Remind this long before the start (default 24 h). */
  horizonSeconds?: number;
  /** Messages written per transaction. */
  batchSize?: number;
  now?: Date;
}

/**
 * event_reminder for active participants of published events starting within the horizon, once
 * per participation and start time (an event moved later is reminded again for its new time).
 */
export async function sendReminders(db: Db, options: ReminderOptions = {}): Promise<{ reminders: number }> {
  const now = options.now ? sql`${options.now.toISOString()}::timestamptz` : sql`now()`;
  const horizon = options.horizonSeconds ?? 86_400;
  const batchSize = options.batchSize ?? 500;
  let reminders = 0;
  for (;;) {
    const written = await useTransaction(db, (trx) =>
      enqueueForParticipants(trx, {
        kind: "event_reminder",
        where: sql<boolean>`e.status = 'published' AND e.starts_at > ${now} AND e.starts_at <= ${now} + make_interval(secs => ${horizon}) AND p.status = 'active'`,
        causeSuffix: sql`extract(epoch from e.starts_at)::bigint::text`,
        limit: batchSize,
      }),
    );
    reminders += written;
    if (written < batchSize) return { reminders };
  }
}
