// Mail plumbing per container: which queue nudges the sender (SQS when MAIL_QUEUE_URL is set,
// else the local runtime's), and which Mailer sends (SES when MAIL_FROM is set, else the local sink).
import { setMailDispatcher } from "@evently/core/mail/outbox";
import type { Mailer } from "@evently/core/ports/mailer";
import type { Queue } from "@evently/core/ports/queue";
import type { BatchSender } from "./sqs-batch";

let localQueue: Queue | undefined;
let localMailer: Mailer | undefined;
let ses: Promise<Mailer> | undefined;
let sqs: Promise<BatchSender> | undefined;

function sender(): Promise<BatchSender> | undefined {
  const url = process.env.MAIL_QUEUE_URL;
  // The SDK is loaded on first send only, so the local runtime never pays for it.
  if (url) return (sqs ??= import("./sqs-batch").then(({ createSqsBatchSender }) => createSqsBatchSender(url)));
  const local = localQueue;
  if (!local) return undefined;
  return Promise.resolve(async (messages) => void (await Promise.all(messages.map((m) => local.send(m)))));
}

/**
 * Every outbox id becomes one message on the sender's queue (one id per message keeps the
 * sender's per-message retries and dedupe by outbox id), sent in batches.
 */
export function installMailDispatch(): void {
  setMailDispatcher(async (ids) => {
    const send = sender();
    if (!send) return; // no queue here: the relay job picks the rows up
    await (
      await send
    )(ids.map((id) => ({ body: id, attributes: { outboxId: id } })));
  });
}
installMailDispatch();

/** The local runtime (or a test) hands in its queue and mail sink; `undefined` unregisters. */
export function setLocalMail(next: { queue?: Queue; mailer?: Mailer }): void {
  localQueue = next.queue;
  localMailer = next.mailer;
}

export function getMailer(): Promise<Mailer> {
  const from = process.env.MAIL_FROM;
  if (from)
    return (ses ??= import("./ses-mailer").then(({ createSesMailer }) =>
      createSesMailer(from, undefined, process.env.MAIL_CONFIGURATION_SET || undefined),
    ));
  if (localMailer) return Promise.resolve(localMailer);
  return Promise.reject(new Error("No mailer: set MAIL_FROM (SES), or start the local mail sink"));
}

/** Where links in messages point. */
export const mailLinkBase = (): string => process.env.MAIL_LINK_BASE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
