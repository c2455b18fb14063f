// Every minute: outbox rows still pending after their after-commit nudge (lost in a crash, or a
// send that failed) are put on the mail queue again.
import { relayPendingMail } from "@evently/core/mail/relay";
import { getDb } from "../lib/db";
import { job } from "../lib/job";

export const handler = job("relay-mail", async () => relayPendingMail(await getDb(), { graceSeconds: 60, limit: 1000 }));
