// The schedule manifest: infra/jobs.ts builds EventBridge rules from it and the local scheduler runs it.
import type { JobDef } from "./manifest";

export const schedules: readonly JobDef[] = [
  {
    name: "expire-holds",
    handler: "jobs/expire-holds",
    cron: "* * * * *",
    description: "Releases seats of expired holds, abandons their payments (intents cancelled by provider tasks), promotes the waitlist, deletes expired Idempotency-Keys",
    // data-key and the task queue: promotions and abandoned payments hand their provider work to the worker.
    resources: ["db", "data-key", "task-queue", "metrics"],
    // Below the one-minute period, so a slow run rarely overlaps the next (SKIP LOCKED makes overlap safe anyway).
    timeoutSeconds: 55,
  },
  {
    name: "provider-tasks",
    handler: "jobs/provider-tasks",
    cron: "* * * * *",
    description: "Sweeps provider tasks (PaymentIntent creation and cancels, refunds) that are due: retries with backoff, marks the hopeless ones failed",
    resources: ["db", "stripe-key", "data-key", "metrics"],
    timeoutSeconds: 55,
  },
  {
    name: "archive",
    handler: "jobs/archive",
    // Daily at a quiet hour (UTC); the job stops on a time budget and the next day resumes.
    cron: "30 3 * * *",
    description: "Moves participation history older than 2 years and completed payment transactions older than 7 years to the archive tables",
    resources: ["db", "metrics"],
    timeoutSeconds: 900,
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
