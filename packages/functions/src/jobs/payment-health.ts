// Scheduled every 5 minutes: measures payment health, stores the snapshot GET /ops/payment-health
// serves, and emits each measure as a CloudWatch metric (EMF) for the alarms in infra/alarms.ts.
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { paymentHealth, type PaymentHealthMeasures } from "@evently/core/health/payment-health";
import { getDb } from "../lib/db";
import { job } from "../lib/job";
import { HealthMetric } from "../lib/metric-names";

const UNITS: Record<keyof typeof HealthMetric, (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  successRate24h: MetricUnit.Percent,
  failuresLastHour: MetricUnit.Count,
  avgProcessingSeconds: MetricUnit.Seconds,
  pendingOver30m: MetricUnit.Count,
  refundsProcessingOver24h: MetricUnit.Count,
  webhookEventsFailed: MetricUnit.Count,
  webhookEventsUnprocessed: MetricUnit.Count,
  providerTasksFailed: MetricUnit.Count,
  providerTasksOverdue: MetricUnit.Count,
  seatCounterDrift: MetricUnit.Count,
};

export const handler = job("payment-health", async ({ metrics }) => {
  const { measures } = await paymentHealth(await getDb());
  for (const key of Object.keys(HealthMetric) as (keyof typeof HealthMetric)[]) {
    const value: PaymentHealthMeasures[typeof key] = measures[key];
    // No payment decided in the last hour: no average, and no made-up zero either.
    if (value !== null) metrics.addMetric(HealthMetric[key], UNITS[key], value);
  }
  const { driftingEventIds, ...counts } = measures;
  return { ...counts, driftingEvents: driftingEventIds.length };
});
