// The Mailer port over Amazon SES (v2 API): what the mail sender uses in AWS (MAIL_FROM set).
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { MaybeSent } from "@evently/core/mail/sender";
import type { Mailer } from "@evently/core/ports/mailer";
import { budgetMs } from "@evently/core/shared/deadline";

/** The longest one SendEmail may take, the SDK's retries included, however much time is left. */
export const SES_CALL_CAP_MS = 10_000;
/** Kept back after the call: recording its outcome on the outbox row. */
export const SES_RESERVE_MS = 1_500;

/**
 * SES has no idempotency key, so `dedupesById` is false: the sender counts a resend after an
 * unrecorded attempt as a possible duplicate. The outbox id travels as a message tag, so a
 * duplicate can be traced in SES event publishing.
 */
export function createSesMailer(from: string, client: SESv2Client = new SESv2Client({}), configurationSet?: string): Mailer {
  return {
    dedupesById: false,
    async send(mail) {
      const command = new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: "UTF-8" },
            Body: { Text: { Data: mail.text, Charset: "UTF-8" }, Html: { Data: mail.html, Charset: "UTF-8" } },
          },
        },
        EmailTags: [
          { Name: "outbox_id", Value: mail.id },
          { Name: "kind", Value: mail.kind },
        ],
        ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
      });
      // Bounded by the invocation's remaining time: a hanging call fails its one message (retried
      // later), not the whole batch at the Lambda timeout.
      const timeoutMs = budgetMs({ reserveMs: SES_RESERVE_MS, capMs: SES_CALL_CAP_MS, what: "sending mail" });
      const signal = AbortSignal.timeout(timeoutMs);
      let out;
      try {
        out = await client.send(command, { abortSignal: signal });
      } catch (error) {
        // Cut off while waiting for the answer: SES may have accepted the message all the same.
        if (signal.aborted) throw new MaybeSent(`SES did not answer within ${timeoutMs} ms`, { cause: error });
        throw error;
      }
      if (!out.MessageId) throw new Error("SES accepted the message without a MessageId");
      return { providerMessageId: out.MessageId };
    },
  };
}
