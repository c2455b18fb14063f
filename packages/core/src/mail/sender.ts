// The sender: turns one outbox row into one delivered message, at least once, deduplicated by
// the outbox id. No transaction is open while the provider is called (DESIGN invariant 2).
import { sql } from "kysely";
import type { Db } from "../db/client";
import type { Mailer } from "../ports/mailer";
import { renderMail } from "./render";
import { mailTickets } from "./tickets";

export interface SenderDeps {
  db: Db;
  mailer: Mailer;
  /** Where links in messages point (the frontend, or the API locally). */
  baseUrl: string;
  /** How long a claim keeps other deliveries of the same row away; longer than one send takes. */
  leaseSeconds?: number;
  /** Attempts before a row is marked failed (and left for an operator). */
  maxAttempts?: number;
  /** Test hook: runs after the provider accepted the message and before it is recorded. */
  afterSend?: (outboxId: string) => void | Promise<void>;
}

export type SendOutcome = "sent" | "already sent" | "failed for good" | "busy" | "unknown";

export interface SendResult {
  outcome: SendOutcome;
  /** The previous attempt died between sending and recording, and the provider cannot dedupe. */
  possibleDuplicate: boolean;
}

/** Thrown to ask the queue to deliver the id again later (another sender holds it, or the provider failed). */
export class RetryLater extends Error {}

/**
 * Thrown by a Mailer when the provider may have accepted the message although the call failed
 * (it timed out after the request went out): the next attempt is then a possible duplicate.
 */
export class MaybeSent extends Error {}

/**
 * Claims the row with a lease: only a pending row whose lease ran out can be claimed, so two
 * deliveries of one id never send at once. `sending_since` still set at claim time means the last
 * claimant died after (or while) sending: its message may have gone out.
 */
async function claim(db: Db, id: string, leaseSeconds: number) {
  const { rows } = await sql<{ kind: string; previousSend: Date | null; attempts: number }>`
    UPDATE outbox o SET attempts = o.attempts + 1, locked_until = now() + make_interval(secs => ${leaseSeconds}),
      sending_since = now()
    FROM (SELECT id, sending_since FROM outbox WHERE id = ${id} FOR UPDATE) prev
    WHERE o.id = prev.id AND o.status = 'pending' AND (o.locked_until IS NULL OR o.locked_until < now())
    RETURNING o.kind, prev.sending_since AS previous_send, o.attempts`.execute(db);
  return rows[0];
}

export async function sendOutboxMessage(deps: SenderDeps, id: string): Promise<SendResult> {
  const { db, mailer } = deps;
  const claimed = await claim(db, id, deps.leaseSeconds ?? 120);
  if (!claimed) {
    const row = await db.selectFrom("outbox").select("status").where("id", "=", id).executeTakeFirst();
    if (!row) return { outcome: "unknown", possibleDuplicate: false };
    if (row.status === "sent") return { outcome: "already sent", possibleDuplicate: false };
    if (row.status === "failed") return { outcome: "failed for good", possibleDuplicate: false };
    throw new RetryLater(`outbox ${id} is being sent by another delivery`);
  }
  const possibleDuplicate = claimed.previousSend !== null && !mailer.dedupesById;
  const row = await db.selectFrom("outbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  let providerMessageId: string;
  try {
    // Rendering can fail too (a template, a ticket's signing key): inside the bookkeeping, so such a
    // row counts its attempts and ends failed instead of being claimed again forever.
    const rendered = renderMail(row, deps.baseUrl, { tickets: await mailTickets(db, row) });
    ({ providerMessageId } = await mailer.send({
      id,
      to: row.recipient,
      kind: row.kind,
      ...rendered,
      refs: Object.fromEntries(
        Object.entries({ eventId: row.eventId, participationId: row.participationId, orderId: row.orderId, refundId: row.refundId }).filter(
          ([, v]) => v,
        ),
      ),
    }));
  } catch (error) {
    // The message did not render, or the provider refused it: nothing went out, so the next attempt
    // is no duplicate. A call that timed out may have delivered: sending_since stays, and the next
    // claim counts it as a possible duplicate.
    const failed = row.attempts >= (deps.maxAttempts ?? 8);
    await db
      .updateTable("outbox")
      .set({
        status: failed ? "failed" : "pending",
        lockedUntil: null,
        ...(error instanceof MaybeSent ? {} : { sendingSince: null }),
        lastError: String((error as Error)?.message ?? error).slice(0, 1000),
      })
      .where("id", "=", id)
      .execute();
    if (failed) return { outcome: "failed for good", possibleDuplicate };
    throw new RetryLater(`outbox ${id}: not sent`, { cause: error });
  }
  await deps.afterSend?.(id);
  await db
    .updateTable("outbox")
    .set({ status: "sent", sentAt: sql<Date>`now()`, providerMessageId, lockedUntil: null, sendingSince: null, lastError: null })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .execute();
  return { outcome: "sent", possibleDuplicate };
}
