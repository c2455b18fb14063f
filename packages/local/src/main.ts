// `npm start`: the whole product on this machine, one line per component; Ctrl-C stops it cleanly.
import "./env-defaults";
import { startLocalRuntime } from "./runtime";

const runtime = await startLocalRuntime({
  databaseUrl: process.env.DATABASE_URL,
  port: Number(process.env.PORT ?? 3000),
  stripeSandboxPort: Number(process.env.STRIPE_SANDBOX_PORT ?? 12111),
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
