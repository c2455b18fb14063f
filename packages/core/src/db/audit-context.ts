// Tells the participation history trigger who is changing rows in this transaction, and why.
import { isIP } from "node:net";
import { sql, type Transaction } from "kysely";
import type { Database } from "./database";

export interface AuditContext {
  /** users.id of the actor; omit for system changes (jobs, webhooks). */
  actorId?: string | null;
  reason?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_USER_AGENT = 512;

/**
 * The client's address and agent as the audit columns take them. Both are informational: an
 * address the inet cast would reject is dropped rather than failing the write, and a long agent is cut.
 */
export const clientFacts = (ip: string | null | undefined, userAgent: string | null | undefined) => ({
  ip: ip && isIP(ip) ? ip : null,
  userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
});

/**
 * Sets the settings that log_participation_change() (migration 0004) reads, transaction-local
 * (`set_config(…, true)`), so they vanish at commit or rollback and never leak to the next user
 * of a pooled connection. That is also why this takes a Transaction: outside one, the settings
 * would only last for this very statement. Each call sets all four, so a later call in the same
 * transaction replaces, rather than merges with, an earlier one.
 */
export async function setAuditContext(trx: Transaction<Database>, context: AuditContext): Promise<void> {
  const actorId = context.actorId ?? "";
  // The trigger casts to uuid: a bad value would fail the participation write itself, so a bug
  // in the caller surfaces here with a clear message instead.
  if (actorId !== "" && !UUID.test(actorId)) throw new TypeError(`audit actorId must be a users.id (uuid), got "${actorId}"`);
  const client = clientFacts(context.ip, context.userAgent);
  await sql`
    select
      set_config('app.actor_id', ${actorId}, true),
      set_config('app.change_reason', ${context.reason ?? ""}, true),
      set_config('app.ip_address', ${client.ip ?? ""}, true),
      set_config('app.user_agent', ${client.userAgent ?? ""}, true)`.execute(trx);
}
