// The local EventBridge: one croner job per entry of schedules.ts, invoking the same job handler
// modules with a scheduled event, never two runs of one job at once in this process.
import { randomUUID } from "node:crypto";
import type { Context, ScheduledEvent } from "aws-lambda";
import { Cron } from "croner";
import type { JobResult } from "@evently/functions/lib/job";
import type { JobDef } from "@evently/functions/manifest";
import { schedules } from "@evently/functions/schedules";
import { lambdaContext } from "./server/apigw-event";

type JobHandler = (event: ScheduledEvent, context: Context) => Promise<JobResult>;

export interface SchedulerOptions {
  log?: (line: string) => void;
  /** Replaces a job's cron by name, e.g. `{ "payment-health": "*\/2 * * * * *" }` (tests; six fields = seconds). */
  cron?: Record<string, string>;
}

export interface LocalScheduler {
  /** Each job with the cron it runs on here. */
  jobs: readonly { name: string; cron: string }[];
  /** Runs a job now, after any run of it already in progress; resolves with the run's result. */
  runNow(name: string): Promise<JobResult>;
  /** Stops the timers and waits for runs in progress. */
  stop(): Promise<void>;
}

/** What EventBridge delivers to a scheduled target. */
export function scheduledEvent(job: Pick<JobDef, "name">, at: Date = new Date()): ScheduledEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    time: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: "local",
    resources: [`arn:aws:events:local:000000000000:rule/evently-${job.name}`],
    detail: {},
  };
}

/**
 * Lambda stops a job at its timeout and reports "Task timed out"; locally the run is reported
 * failed at the same moment. Its work winds down by itself: every transaction's statement and
 * lock timeouts end with the run's deadline.
 */
function withinLimit<T>(def: Pick<JobDef, "name" | "timeoutSeconds">, run: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Job ${def.name}: task timed out after ${def.timeoutSeconds} seconds`)),
      def.timeoutSeconds * 1000,
    );
  });
  return Promise.race([run, limit]).finally(() => clearTimeout(timer));
}

/** Loads a job's handler module on first use, like a Lambda cold start. */
export function loadJobHandler(job: Pick<JobDef, "handler">): Promise<JobHandler> {
  return import(`@evently/functions/${job.handler}`).then((m: { handler: JobHandler }) => m.handler);
}

export function startScheduler(options: SchedulerOptions = {}): LocalScheduler {
  const log = options.log ?? (() => undefined);
  const handlers = new Map<string, Promise<JobHandler>>();
  // Per job, the last run started or queued: runs of one job form a chain and never overlap.
  const tails = new Map<string, Promise<JobResult>>();

  const execute = (def: JobDef): Promise<JobResult> => {
    let handler = handlers.get(def.name);
    if (!handler) {
      handler = loadJobHandler(def);
      handlers.set(def.name, handler);
      handler.catch(() => handlers.delete(def.name)); // a module that failed to load is retried next time
    }
    return withinLimit(
      def,
      handler.then((h) => h(scheduledEvent(def), lambdaContext(`job-${def.name}`, def.timeoutSeconds))),
    );
  };

  const enqueue = (def: JobDef): Promise<JobResult> => {
    const run = (tails.get(def.name) ?? Promise.resolve()).catch(() => undefined).then(() => execute(def));
    tails.set(def.name, run);
    const forget = () => {
      if (tails.get(def.name) === run) tails.delete(def.name);
    };
    run.then(forget, forget);
    return run;
  };

  const tick = (def: JobDef) => {
    // Like croner's `protect`, which guards only croner's own calls: a tick during any run is skipped.
    if (tails.has(def.name)) return;
    return enqueue(def).then(
      (result) => {
        // Quiet when a run found nothing to do: expire-holds ticks every minute.
        const busy = Object.values(result.counts).some((v) => (typeof v === "number" ? v !== 0 : v === true));
        if (busy) log(`Job ${def.name}: ${JSON.stringify(result.counts)} in ${result.durationMs} ms`);
      },
      (error: unknown) => log(`Job ${def.name} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };

  const jobs = schedules.map((def) => ({ ...def, cron: options.cron?.[def.name] ?? def.cron }));
  const timers = jobs.map((def) => new Cron(def.cron, { timezone: "UTC", protect: true, catch: true }, () => tick(def)));

  return {
    jobs: jobs.map(({ name, cron }) => ({ name, cron })),
    runNow(name) {
      const def = jobs.find((j) => j.name === name);
      if (!def) return Promise.reject(new Error(`No job ${name} in schedules.ts (jobs: ${jobs.map((j) => j.name).join(", ")})`));
      return enqueue(def);
    },
    async stop() {
      for (const timer of timers) timer.stop();
      await Promise.allSettled([...tails.values()]);
    },
  };
}
