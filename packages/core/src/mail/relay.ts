// The backstop behind the after-commit nudge: pending rows nobody holds, older than a grace
// period (their nudge was lost, or their last attempt failed), are handed to the sender again.
import { sql } from "kysely";
import type { Db } from "../db/client";
import { dispatchMail } from "./outbox";

export interface RelayOptions {
  /** Rows younger than this are left to their own after-commit nudge. */
  graceSeconds: number;
  limit: number;
}

export async function relayPendingMail(db: Db, options: RelayOptions): Promise<{ relayed: number }> {
  const rows = await db
    .selectFrom("outbox")
    .select("id")
    .where("status", "=", "pending")
    .where("createdAt", "<", sql<Date>`now() - make_interval(secs => ${options.graceSeconds})`)
    .where((eb) => eb.or([eb("lockedUntil", "is", null), eb("lockedUntil", "<", sql<Date>`now()`)]))
    .orderBy("createdAt")
    .limit(options.limit)
    .execute();
  await dispatchMail(rows.map((r) => r.id));
  return { relayed: rows.length };
}
