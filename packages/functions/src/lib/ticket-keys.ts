// Where ticket signing keys come from: Secrets Manager in AWS (rotated there, cached five minutes
// like every secret; a scanned code naming a key the cache does not know reads past it, see
// core/tickets/codes.ts verifyTicketCode), TICKET_KEYS locally (`npm start` keeps one under
// .local/), else a key generated for this process (tests).
import { useTicketKeys } from "@evently/core/tickets/key-source";
import type { TicketKeySet } from "@evently/core/tickets/keys";

let generated: Promise<TicketKeySet> | undefined;

// Imported on first use (once per container): functions that never render a code never load jose
// for it, and merely registering the loader creates no logger (the test setup registers it before a
// test sets its log level).
let modules: ReturnType<typeof importModules> | undefined;
const importModules = () => Promise.all([import("@evently/core/tickets/keys"), import("./secrets"), import("./config")]);
const loadModules = () => (modules ??= importModules());

async function load(options?: { fresh?: boolean }): Promise<TicketKeySet> {
  const [{ generateTicketKey, parseTicketKeySet }, { getSecretValue }, { config }] = await loadModules();
  if (process.env.TICKET_KEY_SECRET_ARN || process.env.TICKET_KEYS) return parseTicketKeySet(await getSecretValue("ticket-key", options));
  // In Lambda a missing secret is a deployment error: never sign with a key nobody can verify.
  if (config.inLambda) throw new Error("TICKET_KEY_SECRET_ARN is not set: this function was not granted the ticket key");
  generated ??= generateTicketKey().then((current) => ({ current, previous: null }));
  return generated;
}

useTicketKeys(load);
