// The runner every scheduled job shares: logging, metrics, a job_runs row per run (running →
// succeeded/failed with its counts and duration), and the JobSucceeded/JobFailed signals alarms watch.
import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Context, ScheduledEvent } from "aws-lambda";
import { failAbandonedRuns, finishJobRun, startJobRun, type JobCounts } from "@evently/core/jobs/runs";
import { withContextDeadline } from "@evently/core/shared/deadline";
import { schedules } from "../schedules";
import { getDb } from "./db";
import { JOB_DIMENSION, JobMetric, METRICS_NAMESPACE, SERVICE_NAME } from "./metric-names";
import { assertConfigured } from "./config";
import "./mail"; // mail written by a job is nudged to the sender after commit
import { logger, metrics, traceInvocations } from "./observability";

export interface JobRunContext {
  /** Milliseconds before the platform kills this invocation (Lambda's timeout, or the local one). */
  remainingTimeMs: () => number;
  /** The service-level metrics (dimension `service` only), flushed when the run ends. */
  metrics: Metrics;
}

export interface JobResult {
  job: string;
  runId: string | null;
  status: "succeeded" | "failed";
  durationMs: number;
  counts: JobCounts;
}

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Wraps a job's one core call. The job's metrics carry { service, job } — exactly the dimensions
 * of the "did not run" alarm in infra/alerts.ts — on their own Metrics instance, so the `job`
 * dimension never lands on the service-level metrics a job emits (the payment-health gauges).
 */
export function job<C extends object>(name: string, run: (ctx: JobRunContext) => Promise<C>) {
  const def = schedules.find((s) => s.name === name);
  if (!def) throw new Error(`Job ${name} is not in schedules.ts`);
  const { timeoutSeconds } = def;
  assertConfigured(def);

  const jobMetrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
    defaultDimensions: { [JOB_DIMENSION]: name },
  });
  // Flushed only when the job emitted something: an empty flush would just log a warning.
  const flushServiceMetrics = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };

  return (
    middy<ScheduledEvent | undefined, JobResult>()
      .use(traceInvocations())
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(jobMetrics))
      .use({ after: flushServiceMetrics, onError: flushServiceMetrics })
      // The job's calls out (Stripe, lock and statement timeouts) take their budgets from this run's time.
      .handler((_event, context: Context) => withContextDeadline(context, () => runJob(context)))
  );

  async function runJob(context: Context): Promise<JobResult> {
    logger.appendKeys({ job: name });
    const started = performance.now();
    let runId: string | null = null;
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const db = await getDb();
      const abandoned = await failAbandonedRuns(db, name, timeoutSeconds);
      if (abandoned > 0) logger.warn("Earlier runs never finished; marked failed", { abandoned });
      runId = await startJobRun(db, name);
      const counts = (await run({ remainingTimeMs: () => context.getRemainingTimeInMillis(), metrics })) as JobCounts;
      const durationMs = elapsed();
      await finishJobRun(db, runId, { status: "succeeded", durationMs, counts });
      jobMetrics.addMetric(JobMetric.succeeded, MetricUnit.Count, 1);
      jobMetrics.addMetric(JobMetric.failed, MetricUnit.Count, 0);
      jobMetrics.addMetric(JobMetric.durationMs, MetricUnit.Milliseconds, durationMs);
      logger.info(`Job ${name} succeeded`, { runId, durationMs, counts });
      return { job: name, runId, status: "succeeded", durationMs, counts };
    } catch (error) {
      const durationMs = elapsed();
      jobMetrics.addMetric(JobMetric.succeeded, MetricUnit.Count, 0);
      jobMetrics.addMetric(JobMetric.failed, MetricUnit.Count, 1);
      jobMetrics.addMetric(JobMetric.durationMs, MetricUnit.Milliseconds, durationMs);
      logger.error(`Job ${name} failed`, { runId, durationMs, error: error as Error });
      if (runId) {
        const id = runId;
        await getDb()
          .then((db) => finishJobRun(db, id, { status: "failed", durationMs, error: errorText(error) }))
          .catch((e: unknown) => logger.error("Could not record the failed run", { error: e as Error }));
      }
      // Rethrown: Lambda reports the error (Errors metric, EventBridge retry policy).
      throw error;
    }
  }
}
