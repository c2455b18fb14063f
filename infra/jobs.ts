// Jobs stack: one EventBridge cron rule and Lambda per entry of schedules.ts, each with its "did not run" alarm.
import { Construct } from "constructs";
import { Cron, dependsOn, use, type StackContext } from "sst/constructs";
import { handlerPath, type JobDef } from "@evently/functions/manifest";
import { schedules } from "@evently/functions/schedules";
import { accessProps, grantAccess } from "./access";
import { useAccessDeps } from "./access-deps";
import { Alerts, watchFunction, watchJobRuns } from "./alerts";
import { maxIntervalSeconds, toEventBridgeCron } from "./cron";
import { Migrations } from "./migrations";
import { stageSettings } from "./stage";

/** Construct id for a job; SST wants ids of letters, digits, "-" and "_". */
const jobId = (job: Pick<JobDef, "name">): string => `Job_${job.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;

/**
 * EventBridge retries a failed async invocation twice by default. For a job that runs again
 * within the hour the next tick is the retry, and overlapping retries only contend for the same
 * rows; a rare job (archive, daily) keeps the retries.
 */
function jobRetryAttempts(job: Pick<JobDef, "cron">): number {
  return maxIntervalSeconds(job.cron) <= 3600 ? 0 : 2;
}

export interface JobsOutputs {
  crons: Record<string, Cron>;
}

export function Jobs({ app, stack }: StackContext): JobsOutputs {
  const settings = stageSettings(app.stage);
  const deps = useAccessDeps();
  const { topic } = use(Alerts);
  dependsOn(Migrations);

  const names = new Set<string>();
  const crons: Record<string, Cron> = {};
  for (const job of schedules) {
    if (names.has(job.name)) throw new Error(`schedules.ts lists job "${job.name}" twice`);
    names.add(job.name);

    const cron = new Cron(stack, jobId(job), {
      schedule: toEventBridgeCron(job.cron),
      job: {
        function: {
          handler: handlerPath(job.handler),
          description: `job ${job.name}: ${job.description}`.slice(0, 256),
          timeout: job.timeoutSeconds,
          retryAttempts: jobRetryAttempts(job),
          // Prod reserves slots so an API flood cannot starve the jobs (stage.ts).
          ...(settings.reservedConcurrency ? { reservedConcurrentExecutions: settings.reservedConcurrency.perJob } : {}),
          ...accessProps(job.resources, deps),
        },
      },
    });
    grantAccess(cron.jobFunction, job.resources, deps);
    watchFunction(cron.jobFunction, `job ${job.name}`, topic, job.timeoutSeconds);
    watchJobRuns(new Construct(cron, "Monitor"), job, topic);
    crons[job.name] = cron;
  }
  return { crons };
}
