// Misbehaviour on demand: which requests (or webhook deliveries) get latency, an error, a dropped connection or no answer.
import { invalidRequest } from "./errors";

export type FaultKind = "latency" | "error" | "drop" | "timeout" | "timeout-after-apply";
export type FaultStatus = 429 | 500 | 503;

/** The endpoint a fault applies to: `METHOD /v1/path/:param`, `*` for every API request, or `webhook` for deliveries. */
export const WEBHOOK_ENDPOINT = "webhook";

export interface FaultSpec {
  endpoint: string;
  kind: FaultKind;
  /** For `error`: the status Stripe answers with (default 500). */
  status?: FaultStatus;
  /** For `latency`: added before the request is handled. */
  latencyMs?: number;
  /** Only the next `count` matching requests; with `forMs` too, whichever ends first. */
  count?: number;
  /** Only for this long from injection. Neither count nor forMs: until cleared. */
  forMs?: number;
}

export interface InjectedFault extends FaultSpec {
  id: string;
  injectedAt: string;
  /** Requests (or deliveries) this fault acted on. */
  hits: number;
  active: boolean;
  cleared: boolean;
}

interface Entry {
  record: InjectedFault;
  match: (method: string, path: string) => boolean;
  expiresAt: number;
}

const KINDS: readonly FaultKind[] = ["latency", "error", "drop", "timeout", "timeout-after-apply"];
const STATUSES: readonly number[] = [429, 500, 503];
// A failed delivery is all a fault can do to a webhook: nothing answers it but the product.
const WEBHOOK_KINDS: readonly FaultKind[] = ["latency", "drop"];

function matcher(endpoint: string): Entry["match"] {
  if (endpoint === "*") return (_method, path) => path.startsWith("/v1/");
  if (endpoint === WEBHOOK_ENDPOINT) return (method) => method === WEBHOOK_ENDPOINT;
  const match = /^(GET|POST|DELETE) (\/v1\/\S*)$/.exec(endpoint);
  if (!match) {
    throw invalidRequest(`Invalid endpoint: ${endpoint} (expected "POST /v1/refunds", "*" or "webhook")`, { param: "endpoint" });
  }
  const [, method, pattern = ""] = match;
  const source = pattern
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  const regex = new RegExp(`^${source}$`);
  return (m, path) => m === method && regex.test(path);
}

function positive(value: number | undefined, name: string, integer = false): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw invalidRequest(`Invalid ${name}: must be a positive ${integer ? "integer" : "number"}`, { param: name });
  }
}

function validate(spec: FaultSpec): void {
  if (!KINDS.includes(spec.kind)) throw invalidRequest(`Invalid kind: must be one of ${KINDS.join(", ")}`, { param: "kind" });
  if (spec.endpoint === WEBHOOK_ENDPOINT && !WEBHOOK_KINDS.includes(spec.kind)) {
    throw invalidRequest(`Webhook faults can only be ${WEBHOOK_KINDS.join(" or ")}`, { param: "kind" });
  }
  if (spec.kind === "error" && spec.status !== undefined && !STATUSES.includes(spec.status)) {
    throw invalidRequest(`Invalid status: must be one of ${STATUSES.join(", ")}`, { param: "status" });
  }
  if (spec.kind === "latency" && spec.latencyMs === undefined) {
    throw invalidRequest("A latency fault needs latencyMs", { param: "latencyMs" });
  }
  positive(spec.latencyMs, "latencyMs");
  positive(spec.count, "count", true);
  positive(spec.forMs, "forMs");
}

/** What to do to one request: added latency, then at most one other fault. */
export interface Decision {
  latencyMs: number;
  fault: InjectedFault | null;
}

export class FaultBook {
  private readonly entries: Entry[] = [];
  private next = 1;

  inject(spec: FaultSpec): InjectedFault {
    validate(spec);
    const match = matcher(spec.endpoint);
    const now = Date.now();
    const record: InjectedFault = {
      ...spec,
      ...(spec.kind === "error" ? { status: spec.status ?? 500 } : {}),
      id: `fault_${this.next++}`,
      injectedAt: new Date(now).toISOString(),
      hits: 0,
      active: true,
      cleared: false,
    };
    this.entries.push({ record, match, expiresAt: spec.forMs === undefined ? Infinity : now + spec.forMs });
    return { ...record };
  }

  /** Ends every fault; the records stay for the report. */
  clear(): void {
    for (const entry of this.entries) {
      if (this.isActive(entry)) entry.record.cleared = true;
    }
  }

  /** Every fault injected since start, with how often each acted. */
  list(): InjectedFault[] {
    return this.entries.map((entry) => ({ ...entry.record, active: this.isActive(entry) }));
  }

  /** Decides the faults for one request and counts them as used. */
  take(method: string, path: string): Decision {
    const decision: Decision = { latencyMs: 0, fault: null };
    for (const entry of this.entries) {
      if (!this.isActive(entry) || !entry.match(method, path)) continue;
      if (entry.record.kind === "latency") decision.latencyMs += entry.record.latencyMs ?? 0;
      else if (decision.fault) continue;
      else decision.fault = entry.record;
      entry.record.hits += 1;
    }
    return { latencyMs: decision.latencyMs, fault: decision.fault && { ...decision.fault } };
  }

  private isActive(entry: Entry): boolean {
    const { record } = entry;
    if (record.cleared || Date.now() >= entry.expiresAt) return false;
    return record.count === undefined || record.hits < record.count;
  }
}
