// Mail plumbing per container: which queue nudges the sender (SQS when MAIL_QUEUE_URL is set,
// else the local runtime's), and which Mailer sends (SES when MAIL_FROM is set, else the local sink).
import { setMailDispatcher } from "@evently/core/mail/outbox";
import type { Mailer } from "@evently/core/ports/mailer";
import type { Queue } from "@evently/core/ports/queue";

let localQueue: Queue | undefined;
let localMailer: Mailer | undefined;
let ses: Promise<Mailer> | undefined;
let sqs: Promise<Queue> | undefined;

function queue(): Promise<Queue> | undefined {
  const url = process.env.MAIL_QUEUE_URL;
  // The SDK is loaded on first send only, so the local runtime never pays for it.
  if (url) return (sqs ??= import("./sqs-queue").then(({ createSqsQueue }) => createSqsQueue(url)));
  return localQueue ? Promise.resolve(localQueue) : undefined;
}

/** Every outbox id becomes one message on the sender's queue. */
export function installMailDispatch(): void {
  setMailDispatcher(async (ids) => {
    const q = queue();
    if (!q) return; // no queue here: the relay job picks the rows up
    const target = await q;
    await Promise.all(ids.map((id) => target.send({ body: id, attributes: { outboxId: id } })));
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
