// Mail test helpers: a recording Mailer (SES-like: no dedupe key), a "send everything" pump, the
// mail queue's SQS events, and a payments harness with an organizer for receipts.
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll } from "vitest";
import type { Db } from "@evently/core/db/client";
import { sendOutboxMessage, type SenderDeps } from "@evently/core/mail/sender";
import type { Mailer, OutgoingMail } from "@evently/core/ports/mailer";
import { makeActor, type TestActor } from "../../support/fixtures";
import { startPaymentsHarness, type PaymentsHarness } from "../payments/harness";

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

/** An SQS event of the mail queue with these bodies; record i has messageId `m<i>`. */
export const sqsEvent = (bodies: readonly string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `m${i}`,
    receiptHandle: "r",
    body,
    attributes: { ApproximateReceiveCount: "1" } as never,
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:mail",
    awsRegion: "us-east-1",
  })),
});

/** The file's payments harness and an organizer: started before its tests, stopped after them. */
export function paymentsWithOrganizer(): { h: PaymentsHarness; organizer: TestActor } {
  const ctx = {} as { h: PaymentsHarness; organizer: TestActor };
  beforeAll(async () => {
    ctx.h = await startPaymentsHarness();
    ctx.organizer = await makeActor(ctx.h.t.db, { role: "organizer" });
  });
  afterAll(() => ctx.h.stop());
  return ctx;
}
