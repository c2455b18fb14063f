// Composes the local runtime: database, migrations, API (and, as they land, queue, scheduler,
// Stripe sandbox). `npm start` and the e2e tests both start the product through here.
import "./env-defaults";
import path from "node:path";
import { createDb, type Db } from "@evently/core/db/client";
import { createMigrationDb, migrate } from "@evently/core/db/migrator";
import { setDb } from "@evently/functions/lib/db";
import { taskConsumer, webhookConsumer } from "@evently/functions/consumers";
import { setLocalMail } from "@evently/functions/lib/mail";
import { setWebhookQueue } from "@evently/functions/lib/queue";
import { setTaskQueue } from "@evently/functions/lib/task-queue";
import { routes } from "@evently/functions/routes";
import { startPostgres, type LocalPostgres } from "./postgres";
import { startMailSink, type MailSink } from "./mail/server";
import { lazyConsumer, startLocalQueue, type LocalQueue } from "./queue/local-queue";
import { startScheduler, type LocalScheduler, type SchedulerOptions } from "./scheduler";
import { startApiServer, type ApiServer } from "./server/http-server";
import { startStripeSandbox, type StripeSandbox } from "@evently/stripe-sandbox";

export interface RuntimeOptions {
  /** Use this database instead of starting the embedded one. */
  databaseUrl?: string;
  /** Embedded Postgres data folder (default `.local/pg`). */
  dataDir?: string;
  port?: number;
  /** Stripe sandbox port (0 = any free port); not started when STRIPE_SECRET_KEY is set. */
  stripeSandboxPort?: number;
  /** Where the Stripe sandbox keeps its state across restarts and crashes (default: in memory only). */
  stripeStateDir?: string;
  /**
   * When the webhook queue redelivers a failed message: "aws" (default) after the visibility
   * timeout, as SQS does; "fast" within seconds, for tests.
   */
  queueTiming?: "aws" | "fast";
  /** Mail sink port (0 = any free port) and folder (default `.local/mail`). */
  mailPort?: number;
  mailDir?: string;
  /** The local scheduler of schedules.ts (default on); tests may turn it off or override crons. */
  scheduler?: boolean | Pick<SchedulerOptions, "cron">;
  log?: (line: string) => void;
}

export interface LocalRuntime {
  apiUrl: string;
  databaseUrl: string;
  db: Db;
  /** The pg-boss queue between the webhook ingest and the processor (tests: idle(), deadLetters()). */
  webhookQueue: LocalQueue;
  /** The pg-boss queue that feeds the mail sender, and the sink it delivers to. */
  mailQueue: LocalQueue;
  mailSink: MailSink;
  /** The local Stripe sandbox, unless the real Stripe test mode is configured. */
  stripeSandbox?: StripeSandbox;
  /** The local scheduler, unless turned off (tests: runNow(name)). */
  scheduler?: LocalScheduler;
  stop(): Promise<void>;
}

export async function startLocalRuntime(options: RuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((e: unknown) => console.error(e));
  };
  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const pg: LocalPostgres = await startPostgres(options.dataDir ?? path.resolve(".local/pg"), {
        port: Number(process.env.PGPORT) || undefined,
      });
      stops.push(() => pg.stop());
      databaseUrl = pg.adminUrl;
      log(`PostgreSQL ${databaseUrl.replace(/:[^:@/]+@/, ":***@")}`);
    }
    process.env.DATABASE_URL = databaseUrl;

    const migrationDb = createMigrationDb(databaseUrl);
    const { results } = await migrate(migrationDb, "latest").finally(() => migrationDb.destroy());
    log(`Migrations ${results?.length ? `applied ${results.map((r) => r.migrationName).join(", ")}` : "up to date"}`);

    // One process serves every request here (in AWS each Lambda has its own connection): under a
    // burst, requests queue for a free pool slot rather than fail after the Lambda-sized wait,
    // while a dead database still fails each connect within the client's connect timeout (2 s).
    const poolSize = Number(process.env.DB_POOL_MAX) || 20;
    const db = createDb({ connectionString: databaseUrl, max: poolSize, poolWaitMs: 60_000 });
    stops.push(() => db.destroy());
    setDb(db);

    const webhookQueue = await startLocalQueue({
      databaseUrl,
      name: "stripe-webhooks",
      // The consumer's declared limit and batch size, as the SQS event source in AWS uses them.
      timeoutSeconds: webhookConsumer.timeoutSeconds,
      batchSize: webhookConsumer.batchSize,
      ...(options.queueTiming === "fast" ? { backoff: { delaySeconds: 1, exponential: true } } : {}),
      // Loaded on the first batch, like a Lambda cold start; the ingest needs only the queue.
      consumer: lazyConsumer(() => import("@evently/functions/queue/webhook-processor")),
    });
    stops.push(async () => {
      setWebhookQueue(undefined);
      await webhookQueue.stop();
    });
    setWebhookQueue(webhookQueue.queue);
    log("Queue stripe-webhooks (pg-boss)");

    const taskQueue = await startLocalQueue({
      databaseUrl,
      name: "provider-tasks",
      timeoutSeconds: taskConsumer.timeoutSeconds,
      batchSize: taskConsumer.batchSize,
      consumer: lazyConsumer(() => import("@evently/functions/queue/provider-tasks")),
    });
    stops.push(async () => {
      setTaskQueue(undefined);
      await taskQueue.stop();
    });
    setTaskQueue(taskQueue.queue);
    log("Queue provider-tasks (pg-boss)");

    const mailSink = await startMailSink({ port: options.mailPort ?? 0, dir: options.mailDir });
    stops.push(() => mailSink.stop());
    const mailQueue = await startLocalQueue({
      databaseUrl,
      name: "mail",
      consumer: lazyConsumer(() => import("@evently/functions/queue/mail-sender")),
      backoff: { delaySeconds: 1, exponential: true },
      // Mail is light: two batches in flight keep its pg-boss pool small beside the API's.
      concurrency: 2,
    });
    stops.push(async () => {
      setLocalMail({});
      await mailQueue.stop();
    });
    setLocalMail({ queue: mailQueue.queue, mailer: mailSink.mailbox.mailer });
    log(`Mail ${mailSink.url}`);

    // One invocation per pooled connection, as each Lambda holds one: a burst queues before the
    // functions' clocks start instead of every request sharing the pool and timing out together.
    const api: ApiServer = await startApiServer({ routes, port: options.port, concurrency: poolSize });
    stops.push(() => api.close());
    log(`API ${api.url}`);
    // Links in mail point at this API unless configured (functions/lib/mail.ts reads it).
    process.env.MAIL_LINK_BASE_URL ??= api.url;

    let stripeSandbox: StripeSandbox | undefined;
    if (!process.env.STRIPE_SECRET_KEY) {
      stripeSandbox = await startStripeSandbox({
        port: options.stripeSandboxPort ?? 0,
        webhookUrl: `${api.url}/webhooks/stripe`,
        webhookSecret: process.env.STRIPE_WEBHOOK_SECRET ?? "whsec_local_dev",
        stateDir: options.stripeStateDir,
      });
      stops.push(() => stripeSandbox!.stop());
      // The Stripe SDK in the handlers talks to the sandbox (lib/stripe.ts reads this).
      process.env.STRIPE_API_BASE = stripeSandbox.url;
      log(`Stripe sandbox ${stripeSandbox.url}`);
    }

    // Last, so jobs find the database, queue and Stripe endpoint ready; stopped first.
    let scheduler: LocalScheduler | undefined;
    if (options.scheduler !== false) {
      const local = startScheduler({ log, ...(typeof options.scheduler === "object" ? options.scheduler : {}) });
      scheduler = local;
      stops.push(() => local.stop());
      log(`Scheduler: ${local.jobs.map((j) => `${j.name} (${j.cron})`).join(", ")}`);
    }

    return { apiUrl: api.url, databaseUrl, db, webhookQueue, mailQueue, mailSink, stripeSandbox, scheduler, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
