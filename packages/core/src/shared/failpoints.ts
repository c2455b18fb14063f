// Named failpoints on money paths: a test (or FAILPOINTS) turns a point into an error, a crash or a stall.
//
// `await failpoint("order.after-commit")` does nothing unless that point is enabled, either by a
// test (`enableFailpoint`) or by the FAILPOINTS environment variable of the process, e.g.
// FAILPOINTS="order.after-commit=throw,refund.after-provider=exit*1,payment.before-response=delay(200)".
// Lambda bundles define __EVENTLY_FAILPOINTS__ as false: `failpoint` then has an empty body, and a
// minifying bundler drops every call to it, point names included.

declare const __EVENTLY_FAILPOINTS__: boolean | undefined;

const COMPILED_IN = typeof __EVENTLY_FAILPOINTS__ === "undefined" || __EVENTLY_FAILPOINTS__;

export type FailpointAction = "throw" | "exit" | { delayMs: number };

interface Armed {
  action: FailpointAction;
  /** How many more hits trigger the action; Infinity when no count was given. */
  remaining: number;
}

export interface FailpointHits {
  /** Times the point was reached while compiled in, enabled or not. */
  hits: number;
  /** Times its action ran. */
  fired: number;
}

/** Thrown by a point armed with `throw`; not a domain error, so it surfaces as an unexpected failure. */
export class FailpointError extends Error {
  override readonly name = "FailpointError";
  constructor(readonly failpoint: string) {
    super(`failpoint ${failpoint} fired`);
  }
}

const armed = new Map<string, Armed>();
const counters = new Map<string, FailpointHits>();

/**
 * Reached on a money path. Returns undefined (nothing to wait for) unless the point is armed; then it
 * throws a FailpointError, kills the process with SIGKILL, or returns a promise that resolves after the delay.
 */
export function failpoint(name: string): Promise<void> | undefined {
  if (!COMPILED_IN) return undefined;
  return hit(name);
}

function hit(name: string): Promise<void> | undefined {
  const count = counters.get(name) ?? { hits: 0, fired: 0 };
  count.hits += 1;
  counters.set(name, count);
  const point = armed.get(name);
  if (!point || point.remaining <= 0) return undefined;
  point.remaining -= 1;
  count.fired += 1;
  if (point.action === "throw") throw new FailpointError(name);
  if (point.action === "exit") {
    // As abrupt as a Lambda being torn down or the host dying: no handlers, no flushing, no finally.
    process.kill(process.pid, "SIGKILL");
    return new Promise<void>(() => undefined);
  }
  const { delayMs } = point.action;
  return new Promise<void>((resolve) => setTimeout(resolve, delayMs));
}

/** Arms a point; `count` limits how many hits trigger it (later hits pass through). */
export function enableFailpoint(name: string, action: FailpointAction, options: { count?: number } = {}): void {
  const count = options.count ?? Infinity;
  if (!(count >= 1)) throw new Error(`failpoint ${name}: count must be at least 1`);
  if (typeof action === "object" && !(Number.isFinite(action.delayMs) && action.delayMs >= 0)) {
    throw new Error(`failpoint ${name}: delay must be a non-negative number of milliseconds`);
  }
  armed.set(name, { action, remaining: count });
}

/** Disarms every point; hit counters are kept for the report. */
export function disableFailpoints(): void {
  armed.clear();
}

export function failpointHits(): Record<string, FailpointHits> {
  return Object.fromEntries([...counters].map(([name, c]) => [name, { ...c }]));
}

export function resetFailpointHits(): void {
  counters.clear();
}

const SPEC = /^([\w.:-]+)=(throw|exit|delay\((\d+)\))(?:\*(\d+))?$/;

/** Parses the FAILPOINTS syntax; a malformed entry is an error, so a typo never silently tests nothing. */
export function parseFailpoints(spec: string): Array<{ name: string; action: FailpointAction; count?: number }> {
  return spec
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => {
      const match = SPEC.exec(entry);
      if (!match) throw new Error(`FAILPOINTS: cannot parse "${entry}" (expected name=throw|exit|delay(ms)[*count])`);
      const [, name = "", verb = "", delay, count] = match;
      const action: FailpointAction = delay !== undefined ? { delayMs: Number(delay) } : (verb as "throw" | "exit");
      return { name, action, ...(count !== undefined ? { count: Number(count) } : {}) };
    });
}

if (COMPILED_IN && process.env.FAILPOINTS) {
  for (const { name, action, count } of parseFailpoints(process.env.FAILPOINTS)) enableFailpoint(name, action, { count });
}
