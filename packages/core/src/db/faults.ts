// Recognises database failures that are not the caller's fault (unreachable, timed out, aborted)
// and data errors that mean bad input, however the driver or pool reports them.

/** `unavailable`: try again shortly (503); `data`: the input cannot be stored (400). */
export type DatabaseFault = "unavailable" | "data";

/** Socket errors from connecting to or talking with the server. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** SQLSTATEs that say "not now" rather than "never". */
const TRANSIENT_SQLSTATES = new Set([
  "57P01", // admin_shutdown: the server is stopping or failing over
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or in recovery
  "57014", // query_canceled: our statement_timeout, or a cancel
  "55P03", // lock_not_available: our lock_timeout
  "40P01", // deadlock_detected, after useTransaction's retries
  "40001", // serialization_failure
  "53300", // too_many_connections
]);

/** What pg and pg-pool say when a connection drops, cannot be made in time, or the pool waited too long. */
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|terminating connection/i;

const SQLSTATE = /^[0-9A-Z]{5}$/;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function classifyOne(e: ErrorLike): DatabaseFault | undefined {
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code && NETWORK_CODES.has(code)) return "unavailable";
  if (code && SQLSTATE.test(code)) {
    if (TRANSIENT_SQLSTATES.has(code) || code.startsWith("08")) return "unavailable";
    if (code.startsWith("22")) return "data";
    return undefined;
  }
  if (typeof e.message === "string" && CONNECTION_MESSAGES.test(e.message)) return "unavailable";
  return undefined;
}

/**
 * The fault behind `error`, looking through `cause` chains and AggregateErrors (Node reports a
 * refused connection to each address it tried that way); undefined for anything else.
 */
export function databaseFault(error: unknown, depth = 0): DatabaseFault | undefined {
  if (typeof error !== "object" || error === null || depth > 5) return undefined;
  const e = error as ErrorLike;
  const own = classifyOne(e);
  if (own) return own;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const fault = databaseFault(inner, depth + 1);
      if (fault) return fault;
    }
  }
  return databaseFault(e.cause, depth + 1);
}
