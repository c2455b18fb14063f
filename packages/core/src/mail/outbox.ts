// Writing mail: a message row in the transaction that causes it (transactional outbox), and a
// nudge to the sender after commit. The relay job re-sends nudges that never arrived.
import { sql } from "kysely";
import { afterCommit, inTransaction, type Trx } from "../db/transaction";
import type { MailKind } from "./outbox.table";

export interface MailRefs {
  eventId?: string | null;
  participationId?: string | null;
  orderId?: string | null;
  refundId?: string | null;
}

export interface NewMail {
  kind: MailKind;
  to: string;
  userId?: string | null;
  /** Names the cause: a second write for the same cause (a redelivery, a re-run) inserts nothing. */
  dedupeKey: string;
  payload: Record<string, unknown>;
  refs: MailRefs;
}

/** Hands outbox ids to the sender's queue; registered by the runtime (SQS in AWS, pg-boss locally). */
export type MailDispatcher = (outboxIds: readonly string[]) => Promise<void>;
let dispatcher: MailDispatcher | undefined;

export function setMailDispatcher(next: MailDispatcher | undefined): void {
  dispatcher = next;
}

/** Asks the sender to send these rows now; a lost nudge only delays the mail until the relay runs. */
export async function dispatchMail(outboxIds: readonly string[]): Promise<void> {
  if (outboxIds.length === 0 || !dispatcher) return;
  await dispatcher(outboxIds).catch(() => undefined);
}

/**
 * Writes one message in `trx`. Returns its id, or null when this cause already has its message
 * (the dedupe key is UNIQUE). Nothing is sent before the transaction commits.
 */
export async function enqueueMail(trx: Trx, mail: NewMail): Promise<string | null> {
  const row = await trx
    .insertInto("outbox")
    .values({
      kind: mail.kind,
      recipient: mail.to,
      recipientUserId: mail.userId ?? null,
      payload: JSON.stringify(mail.payload),
      dedupeKey: mail.dedupeKey,
      eventId: mail.refs.eventId ?? null,
      participationId: mail.refs.participationId ?? null,
      orderId: mail.refs.orderId ?? null,
      refundId: mail.refs.refundId ?? null,
    })
    .onConflict((oc) => oc.column("dedupeKey").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!row) return null;
  // Only an ambient transaction can defer the nudge until commit; a nudge before commit would find
  // no row. Without one, the relay job sends the message.
  if (inTransaction()) await afterCommit(() => dispatchMail([row.id]));
  return row.id;
}

/** This transaction's id: the cause of a mail whose trigger has no natural id of its own. */
export async function causeId(trx: Trx): Promise<string> {
  const { rows } = await sql<{ xid: string }>`SELECT pg_current_xact_id()::text AS xid`.execute(trx);
  return rows[0]!.xid;
}
