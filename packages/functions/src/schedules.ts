// The schedule manifest: infra/jobs.ts builds EventBridge rules from it and the local scheduler runs it.
import type { JobDef } from "./manifest";

export const schedules: readonly JobDef[] = [
  {
    name: "expire-holds",
    handler: "jobs/expire-holds",
    cron: "* * * * *",
    description:
      "Releases seats of expired holds, abandons their payments (intents cancelled by provider tasks), promotes the waitlist, deletes expired Idempotency-Keys",
    // stripe-key: each batch cancels its abandoned intents right after commit; data-key: provider ids;
    // task-queue: what it cannot finish goes to the worker; mail-queue: hold_expired mail.
    resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue", "metrics"],
    // Below the one-minute period, so a slow run rarely overlaps the next (SKIP LOCKED makes overlap safe anyway).
    timeoutSeconds: 55,
  },
  {
    name: "provider-tasks",
    handler: "jobs/provider-tasks",
    cron: "* * * * *",
    description:
      "Sweeps provider tasks (PaymentIntent creation and cancels, refunds) that are due: retries with backoff, marks the hopeless ones failed",
    resources: ["db", "stripe-key", "data-key", "metrics"],
    timeoutSeconds: 55,
  },
  {
    name: "archive",
    handler: "jobs/archive",
    // Daily at a quiet hour (UTC); the job stops on a time budget and the next day resumes.
    cron: "30 3 * * *",
    description:
      "Moves participation history older than 2 years and completed payment transactions older than 7 years to the archive tables",
    resources: ["db", "metrics"],
    timeoutSeconds: 900,
  },
  {
    name: "complete-events",
    handler: "jobs/complete-events",
    cron: "7 * * * *",
    description: "Moves published events whose end has passed to completed",
    resources: ["db", "metrics"],
    timeoutSeconds: 120,
  },
  {
    name: "send-reminders",
    handler: "jobs/send-reminders",
    cron: "*/15 * * * *",
    description: "Writes event_reminder mail for active participants of events starting within 24 h, once per participation",
    resources: ["db", "mail-queue", "metrics"],
    timeoutSeconds: 300,
  },
  {
    name: "relay-mail",
    handler: "jobs/relay-mail",
    // Every other minute: a backstop for lost nudges, and a rule of its own beside expire-holds.
    cron: "*/2 * * * *",
    description: "Re-queues outbox mail still pending a minute after it was written (a lost nudge or a failed send)",
    resources: ["db", "mail-queue", "metrics"],
    timeoutSeconds: 55,
  },
  {
    name: "payment-health",
    handler: "jobs/payment-health",
    cron: "*/5 * * * *",
    description: "Measures payment success, failures, processing time, stuck payments, refunds and webhooks, and seat-counter drift",
    resources: ["db", "metrics"],
    timeoutSeconds: 60,
  },
];
