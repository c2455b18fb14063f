// The product under test, in its own process: startLocalRuntime (API, pg-boss queue, Stripe sandbox)
// on the database the bench hands in. The bench drives it over HTTP and asks it over IPC for
// queue idleness, dead letters, memory and how many SQL statements it sent.
import "@evently/local/env-defaults";
import pg from "pg";
import { startLocalRuntime } from "@evently/local/runtime";

type Command = { cmd: string; id: number; timeoutMs?: number };

// Statements the product sends (pg-boss's own polling excluded), for "statements per request".
let statements = 0;
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const original = proto.query;
proto.query = function counted(this: pg.Client, ...args: unknown[]) {
  const config = args[0];
  const text = typeof config === "string" ? config : ((config as { text?: string } | null)?.text ?? "");
  if (!text.includes("pgboss.")) statements++;
  return original.apply(this, args);
};

// Peak resident memory between two "memory" requests, sampled every 20 ms.
let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage.rss()));
setInterval(sample, 20).unref();

const send = (message: Record<string, unknown>) => process.send?.(message);

try {
  // The local scheduler stays off: a cron job (payment-health scans payments every 5 minutes) landing
  // in the middle of a measurement would be noise, not the route under test.
  // Fast redelivery as before: a retried event must not stall a measured run for a visibility timeout.
  const runtime = await startLocalRuntime({
    databaseUrl: process.env.BENCH_DATABASE_URL,
    port: 0,
    stripeSandboxPort: 0,
    scheduler: false,
    queueTiming: "fast",
  });
  process.on("message", (message: Command) => {
    void (async () => {
      try {
        switch (message.cmd) {
          case "idle":
            await runtime.webhookQueue.idle({ timeoutMs: message.timeoutMs ?? 120_000 });
            send({ type: "idle", id: message.id });
            break;
          case "deadLetters":
            send({ type: "deadLetters", id: message.id, count: (await runtime.webhookQueue.deadLetters()).length });
            break;
          case "memory": {
            sample();
            const m = process.memoryUsage();
            send({ type: "memory", id: message.id, rss: m.rss, peakRss, heapUsed: m.heapUsed, external: m.external });
            peakRss = m.rss;
            break;
          }
          case "statements":
            send({ type: "statements", id: message.id, count: statements });
            break;
          case "stop":
            await runtime.stop();
            process.exit(0);
            break;
          default:
            send({ type: "error", id: message.id, message: `unknown command ${message.cmd}` });
        }
      } catch (error) {
        send({ type: "error", id: message.id, message: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  process.on("disconnect", () => void runtime.stop().finally(() => process.exit(0)));
  send({ type: "ready", apiUrl: runtime.apiUrl, sandboxUrl: runtime.stripeSandbox?.url ?? null, pid: process.pid });
} catch (error) {
  send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
