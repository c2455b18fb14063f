// Mail test helpers: a recording Mailer (SES-like: no dedupe key) and a "send everything" pump.
import type { Db } from "@evently/core/db/client";
import { sendOutboxMessage, type SenderDeps } from "@evently/core/mail/sender";
import type { Mailer, OutgoingMail } from "@evently/core/ports/mailer";

export interface RecordingMailer extends Mailer {
  sent: OutgoingMail[];
}

export function recordingMailer(): RecordingMailer {
  const sent: OutgoingMail[] = [];
  return {
    sent,
    dedupesById: false,
    async send(mail) {
      sent.push(mail);
      return { providerMessageId: `rec-${sent.length}` };
    },
  };
}

export const BASE_URL = "https://app.evently.test";

/** Sends every pending outbox row once; returns the outbox rows by kind afterwards. */
export async function sendPending(db: Db, mailer: Mailer, extra: Partial<SenderDeps> = {}) {
  const pending = await db.selectFrom("outbox").select("id").where("status", "=", "pending").orderBy("createdAt").execute();
  for (const { id } of pending) await sendOutboxMessage({ db, mailer, baseUrl: BASE_URL, ...extra }, id);
}

export const outboxOf = (db: Db, kind: string) =>
  db
    .selectFrom("outbox")
    .selectAll()
    .where("kind", "=", kind as never)
    .orderBy("createdAt")
    .execute();
