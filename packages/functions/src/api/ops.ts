// Contracts of the operator routes: the latest payment-health snapshot the scheduled job stored.
import * as z from "zod";
import { defineRoute } from "./route-schema";
import { ROUTE_LIMITS } from "../manifest";

const count = () => z.number().int().min(0);

/** The measures of the payment-health job (docs/API.md "Scheduled jobs"), as the job computed them. */
const PaymentHealthMeasuresSchema = z
  .object({
    successRate24h: z
      .number()
      .min(0)
      .max(100)
      .meta({ description: "completed / (completed + failed) of payments processed in 24 h, percent; 100 when none" }),
    completed24h: count(),
    failed24h: count(),
    failuresLastHour: count().meta({ description: "Payments with a failed attempt in the last hour (alarm above 10)" }),
    avgProcessingSeconds: z
      .number()
      .min(0)
      .nullable()
      .meta({ description: "Mean processed_at − created_at of payments decided in the last hour; null when none" }),
    pendingOver30m: count(),
    refundsProcessingOver24h: count(),
    webhookEventsFailed: count(),
    webhookEventsUnprocessed: count().meta({ description: "Received over 5 minutes ago and not processed" }),
    seatCounterDrift: count().meta({
      description: "Σ |seat counter − seats of pending and active participations| over events and ticket types",
    }),
    eventSeatDrift: count(),
    ticketTypeSeatDrift: count(),
    driftingEventIds: z.array(z.uuid()).meta({ description: "Events whose counters drift, worst first (at most 20)" }),
  })
  .meta({ id: "PaymentHealthMeasures" });

export const paymentHealth = defineRoute({
  method: "GET",
  path: "/ops/payment-health",
  access: "admin",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Latest payment-health snapshot (404 before the job first ran)",
  tags: ["ops"],
  response: z.object({ takenAt: z.iso.datetime(), measures: PaymentHealthMeasuresSchema }),
  problems: ["not_found"],
});
