// Hourly: published events whose end has passed become completed.
import { completeEvents } from "@evently/core/jobs/complete-events";
import { getDb } from "../lib/db";
import { job } from "../lib/job";

export const handler = job("complete-events", async () => completeEvents(await getDb()));
