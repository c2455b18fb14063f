// The runtime under a crash test, in its own process so a failpoint armed with `exit` (FAILPOINTS)
// can SIGKILL it: the same code as `npm start` on the test's database, with the Stripe sandbox on a
// fixed port keeping its state in a directory, so a restart finds what Stripe would have kept.
import "@evently/local/env-defaults";
import { startLocalRuntime } from "@evently/local/runtime";

const send = (message: Record<string, unknown>) => process.send?.(message);

try {
  const runtime = await startLocalRuntime({
    databaseUrl: process.env.CHILD_DATABASE_URL,
    port: 0,
    stripeSandboxPort: Number(process.env.CHILD_SANDBOX_PORT),
    stripeStateDir: process.env.CHILD_STRIPE_STATE_DIR,
    scheduler: false,
    queueTiming: "fast",
  });
  process.on("message", (message: { cmd: string; id: number; failpoints?: string }) => {
    void (async () => {
      try {
        if (message.cmd === "arm") {
          // The FAILPOINTS syntax, armed now: a crash test needs no restart to arm the next point.
          const { enableFailpoint, parseFailpoints } = await import("@evently/core/shared/failpoints");
          for (const { name, action, count } of parseFailpoints(message.failpoints ?? "")) enableFailpoint(name, action, { count });
          send({ id: message.id, result: "armed" });
          return;
        }
        if (message.cmd !== "expire-holds") throw new Error(`unknown command ${message.cmd}`);
        // The job's own code path, in this process, where its failpoints are armed.
        const { expireHolds } = await import("@evently/core/jobs/expire-holds");
        const { paymentsDeps } = await import("@evently/functions/lib/deps");
        send({ id: message.id, result: await expireHolds(await paymentsDeps(), { batchSize: 1 }) });
      } catch (error) {
        send({ id: message.id, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  process.on("disconnect", () => void runtime.stop().finally(() => process.exit(0)));
  send({ type: "ready", apiUrl: runtime.apiUrl });
} catch (error) {
  send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
