// Every other minute (schedules.ts): outbox rows still pending a minute after they were written
// (their after-commit nudge was lost in a crash, or their send failed) are put on the mail queue again.
import { relayPendingMail } from "@evently/core/mail/relay";
import { getDb } from "../lib/db";
import { job } from "../lib/job";

export const handler = job("relay-mail", async () => relayPendingMail(await getDb(), { graceSeconds: 60, limit: 1000 }));
