// Scheduled every minute: the backstop for provider tasks (core: payments/provider-tasks) — runs
// the due ones with backoff and marks those that keep failing `failed` for payment health.
import { runDueTasks } from "@evently/core/payments/provider-tasks";
import { paymentsDeps } from "../lib/deps";
import { job } from "../lib/job";

/** Leave this much of the invocation for the attempts in flight to finish. */
const SAFETY_MS = 15_000;

export const handler = job("provider-tasks", async ({ remainingTimeMs }) =>
  runDueTasks(await paymentsDeps(), { budgetMs: Math.max(1_000, remainingTimeMs() - SAFETY_MS) }),
);
