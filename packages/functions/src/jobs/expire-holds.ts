// Scheduled every minute: releases expired seat holds exactly once, cancels their PaymentIntents,
// promotes the waitlist and resends refunds a crash left unsent (core: jobs/expire-holds).
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { paymentsDeps } from "../lib/deps";
import { job } from "../lib/job";

/** Small batches: each is one transaction holding a few event rows for milliseconds. */
const BATCH_SIZE = 25;
/** Stop claiming new batches with this much of the invocation left, for the last intent cancels. */
const SAFETY_MS = 15_000;

export const handler = job("expire-holds", async ({ remainingTimeMs }) =>
  expireHolds(await paymentsDeps(), { batchSize: BATCH_SIZE, timeBudgetMs: Math.max(1_000, remainingTimeMs() - SAFETY_MS) }),
);
