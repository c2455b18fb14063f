// Every 15 minutes: event_reminder mail for active participants of events starting within 24 h,
// once per participation and start time.
import { sendReminders } from "@evently/core/mail/event-mail";
import { getDb } from "../lib/db";
import { job } from "../lib/job";

export const handler = job("send-reminders", async () => sendReminders(await getDb()));
