// `npm start`: the whole product on this machine, one line per component; Ctrl-C stops it cleanly.
import "./env-defaults";
import { startLocalRuntime } from "./runtime";
import { localTicketKeys } from "./ticket-keys";

// Read by the handlers' key loader (packages/functions/src/lib/ticket-keys.ts); set before any handler runs.
process.env.TICKET_KEYS ??= JSON.stringify(await localTicketKeys());

const runtime = await startLocalRuntime({
  databaseUrl: process.env.DATABASE_URL,
  port: Number(process.env.PORT ?? 3000),
  stripeSandboxPort: Number(process.env.STRIPE_SANDBOX_PORT ?? 12111),
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
