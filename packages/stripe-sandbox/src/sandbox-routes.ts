// The sandbox's test hooks over HTTP (/_sandbox/...), so e2e tests can steer a sandbox running in another process.
import type http from "node:http";
import { StripeApiError, invalidRequest } from "./errors";
import { type FaultKind, type FaultSpec, type FaultStatus } from "./faults";
import { decode, parseForm } from "./form";
import { type StripeSandbox } from "./index";
import { readBody, sendJson } from "./server";

type Body = Record<string, unknown>;
type HookHandler = (sandbox: StripeSandbox, id: string, body: Body, url: URL) => unknown;

function num(body: Body, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw invalidRequest(`Invalid ${name}: ${String(value)}`, { param: name });
  return n;
}

function str(body: Body, name: string): string | undefined {
  const value = body[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

// Bodies are JSON with the programmatic API's camelCase names; form bodies work too, for curl.
const HOOKS: Array<[method: string, pattern: RegExp, handler: HookHandler]> = [
  ["GET", /^\/_sandbox\/events$/, (s, _id, _b, url) => ({ data: s.events({ type: url.searchParams.get("type") ?? undefined }) })],
  ["GET", /^\/_sandbox\/events\/([^/]+)$/, (s, id) => findEvent(s, id)],
  ["POST", /^\/_sandbox\/events\/([^/]+)\/redeliver$/, (s, id) => s.redeliver(id)],
  ["POST", /^\/_sandbox\/events\/([^/]+)\/stale$/, (s, id, b) => s.deliverStale(id, num(b, "secondsAgo"))],
  ["POST", /^\/_sandbox\/events\/([^/]+)\/tampered$/, (s, id) => s.deliverTampered(id)],
  ["POST", /^\/_sandbox\/delivery\/pause$/, (s) => (s.pauseDelivery(), { paused: true })],
  [
    "POST",
    /^\/_sandbox\/delivery\/resume$/,
    (s, _id, b) => {
      const order = str(b, "order") ?? "fifo";
      if (order !== "fifo" && order !== "reverse") throw invalidRequest("order must be fifo or reverse", { param: "order" });
      s.resumeDelivery({ order });
      return { paused: false, order };
    },
  ],
  [
    "POST",
    /^\/_sandbox\/delivery\/wait$/,
    async (s, _id, b) => {
      await s.waitForDeliveries({ timeoutMs: num(b, "timeoutMs") });
      return { idle: true };
    },
  ],
  ["POST", /^\/_sandbox\/webhook_url$/, (s, _id, b) => (s.setWebhookUrl(str(b, "url") ?? null), { url: str(b, "url") ?? null })],
  [
    "POST",
    /^\/_sandbox\/payment_intents\/([^/]+)\/dispute$/,
    (s, id, b) => s.triggerDispute(id, { reason: str(b, "reason"), amount: num(b, "amount") }),
  ],
  [
    "POST",
    /^\/_sandbox\/refunds\/hold$/,
    (s, _id, b) => {
      const hold = b.hold === undefined || b.hold === true || b.hold === "true";
      s.holdRefunds(hold);
      return { held: hold };
    },
  ],
  ["POST", /^\/_sandbox\/refunds\/([^/]+)\/fail$/, (s, id, b) => s.failRefund(id, str(b, "failureReason"))],
  ["POST", /^\/_sandbox\/refunds\/([^/]+)\/complete$/, (s, id) => s.completeRefund(id)],
  ["GET", /^\/_sandbox\/faults$/, (s) => ({ data: s.faults.list() })],
  ["POST", /^\/_sandbox\/faults$/, (s, _id, b) => s.faults.inject(faultSpec(b))],
  ["POST", /^\/_sandbox\/faults\/clear$/, (s) => (s.faults.clear(), { cleared: true })],
];

// The fault book validates the values; this only reads them off a JSON or form body.
function faultSpec(body: Body): FaultSpec {
  return {
    endpoint: str(body, "endpoint") ?? "",
    kind: (str(body, "kind") ?? "") as FaultKind,
    status: num(body, "status") as FaultStatus | undefined,
    latencyMs: num(body, "latencyMs"),
    count: num(body, "count"),
    forMs: num(body, "forMs"),
  };
}

function findEvent(sandbox: StripeSandbox, id: string) {
  const record = sandbox.events().find((r) => r.event.id === id);
  if (!record) throw invalidRequest(`No such event: '${id}'`, { code: "resource_missing", status: 404 });
  return record;
}

function parseBody(raw: string, contentType: string | undefined): Body {
  if (raw.trim() === "") return {};
  if (contentType?.includes("json")) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Body;
    } catch {
      // fall through to the error below
    }
    throw invalidRequest("Body must be a JSON object");
  }
  return parseForm(raw);
}

// `save` runs after a hook that may have changed state and before its answer is sent.
export async function handleHooks(sandbox: StripeSandbox, req: http.IncomingMessage, res: http.ServerResponse, url: URL, save: () => void) {
  try {
    const method = req.method ?? "GET";
    const hook = HOOKS.map(([m, pattern, handler]) => ({ m, match: pattern.exec(url.pathname), handler })).find(
      (h) => h.m === method && h.match,
    );
    if (!hook?.match) throw invalidRequest(`Unknown sandbox hook (${method}: ${url.pathname})`, { status: 404 });
    const body = parseBody(await readBody(req), req.headers["content-type"]);
    const result = await hook.handler(sandbox, decode(hook.match[1] ?? ""), body, url);
    if (method !== "GET") save();
    sendJson(res, 200, result);
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    sendJson(res, error.status, { error: error.body });
  }
}
