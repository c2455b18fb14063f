// The deployed mail sender over SES (the SDK mocked, nothing sent): the message SES receives, the
// Lambda's partial batch failures, and a crash between SES accepting and recording counted as a
// possible duplicate — SES has no idempotency key, so that resend cannot be prevented, only seen.
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { sql } from "kysely";
import { useTransaction } from "@evently/core/db/transaction";
import { enqueueMail } from "@evently/core/mail/outbox";
import { sendOutboxMessage } from "@evently/core/mail/sender";
import { createSesMailer } from "@evently/functions/lib/ses-mailer";
import { lambdaContext } from "@evently/local/server/apigw-event";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { sqsEvent } from "./support";

const ses = mockClient(SESv2Client);
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  (await import("@evently/functions/lib/db")).setDb(t.db);
});
afterAll(() => t.destroy());
beforeEach(() => {
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: "ses-1" });
});

let n = 0;
const mail = () =>
  useTransaction(
    t.db,
    async (trx) =>
      (await enqueueMail(trx, {
        kind: "event_reminder",
        to: `ses${++n}@example.test`,
        dedupeKey: `ses:${n}`,
        payload: {
          event: {
            id: "5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f",
            title: "Harbour walk",
            startsAt: "2030-07-01T07:00:00.000Z",
            endsAt: "2030-07-01T09:00:00.000Z",
            timezone: "America/Los_Angeles",
            location: "Pier 39",
          },
        },
        refs: { eventId: "5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f" },
      }))!,
  );
it("SES gets one SendEmail from the configured address, text and HTML, tagged with the outbox id", async () => {
  const id = await mail();
  const mailer = createSesMailer("tickets@evently.test", new SESv2Client({ region: "us-east-1" }));
  expect(await sendOutboxMessage({ db: t.db, mailer, baseUrl: "https://app.test" }, id)).toEqual({
    outcome: "sent",
    possibleDuplicate: false,
  });
  const calls = ses.commandCalls(SendEmailCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]!.args[0].input;
  expect(input).toMatchObject({ FromEmailAddress: "tickets@evently.test", Destination: { ToAddresses: [`ses${n}@example.test`] } });
  expect(input.Content?.Simple?.Body?.Text?.Data).toContain("00:00 PDT"); // 07:00 UTC in July
  expect(input.Content?.Simple?.Body?.Html?.Data).toContain("Harbour walk");
  expect(input.EmailTags).toEqual(expect.arrayContaining([{ Name: "outbox_id", Value: id }]));
  expect(
    (await t.db.selectFrom("outbox").select("providerMessageId").where("id", "=", id).executeTakeFirstOrThrow()).providerMessageId,
  ).toBe("ses-1");
});

it("a crash after SES accepted: the resend reaches SES a second time and is flagged a possible duplicate", async () => {
  const id = await mail();
  const mailer = createSesMailer("tickets@evently.test", new SESv2Client({ region: "us-east-1" }));
  const deps = { db: t.db, mailer, baseUrl: "https://app.test" };
  await expect(sendOutboxMessage({ ...deps, afterSend: () => Promise.reject(new Error("killed")) }, id)).rejects.toThrow("killed");
  await t.db
    .updateTable("outbox")
    .set({ lockedUntil: sql<Date>`now() - interval '1 second'` })
    .where("id", "=", id)
    .execute();
  expect(await sendOutboxMessage(deps, id)).toEqual({ outcome: "sent", possibleDuplicate: true });
  expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
});

it("the Lambda handler: sent and unknown records succeed, a body that is no id is dropped, SES refusing fails only its record", async () => {
  process.env.MAIL_FROM = "tickets@evently.test";
  process.env.AWS_REGION = "us-east-1";
  try {
    const { handler } = await import("@evently/functions/queue/mail-sender");
    const [ok, refused] = [await mail(), await mail()];
    ses.on(SendEmailCommand, { Destination: { ToAddresses: [`ses${n}@example.test`] } }).rejects(new Error("MessageRejected"));
    const context: Context = lambdaContext("mail-sender", 30);
    const result = await handler(sqsEvent([ok, "not an id", refused, "00000000-0000-4000-8000-000000000000"]), context);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m2" }] });
    const rows = await t.db.selectFrom("outbox").select(["id", "status", "lastError"]).where("id", "in", [ok, refused]).execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ [ok]: "sent", [refused]: "pending" });
    expect(rows.find((r) => r.id === refused)!.lastError).toContain("MessageRejected");
  } finally {
    delete process.env.MAIL_FROM;
  }
});
