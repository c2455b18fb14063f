// Child-process script for the crash test: a sandbox on a state directory that serves until it is killed.
import { startStripeSandbox } from "@evently/stripe-sandbox";

const sandbox = await startStripeSandbox({
  webhookSecret: process.env.WEBHOOK_SECRET ?? "",
  webhookUrl: process.env.WEBHOOK_URL,
  stateDir: process.env.STATE_DIR,
  refundDelayMs: Number(process.env.REFUND_DELAY_MS),
  // A failed delivery waits a minute for its retry, so only a restart can send it sooner.
  delivery: { maxAttempts: 5, initialDelayMs: 60_000, maxDelayMs: 60_000 },
});
process.stdout.write(`ready ${sandbox.port}\n`);
