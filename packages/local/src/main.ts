// `npm start`: the whole product on this machine, one line per component; Ctrl-C stops it cleanly.
import "./env-defaults";
import path from "node:path";
import { startLocalRuntime } from "./runtime";
import { localTicketKeys } from "./ticket-keys";

// Read by the handlers' key loader (packages/functions/src/lib/ticket-keys.ts); set before any handler runs.
process.env.TICKET_KEYS ??= JSON.stringify(await localTicketKeys());

const runtime = await startLocalRuntime({
  databaseUrl: process.env.DATABASE_URL,
  port: Number(process.env.PORT ?? 3000),
  stripeSandboxPort: Number(process.env.STRIPE_SANDBOX_PORT ?? 12111),
  // Like Stripe, the sandbox remembers intents, refunds and owed webhooks across restarts.
  stripeStateDir: path.resolve(".local/stripe"),
  mailPort: Number(process.env.MAIL_PORT ?? 12125),
  log: (line) => console.log(line),
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  await runtime.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
