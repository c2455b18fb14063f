// HTTP front of the sandbox: Stripe auth, form parsing, idempotency and routing of the /v1 paths the product calls.
import type http from "node:http";
import { type RequestInfo, type SandboxContext } from "./context";
import { authError, invalidRequest, resourceMissing, StripeApiError } from "./errors";
import { SANDBOX_API_VERSION } from "./events";
import { decode, parseForm, type Params } from "./form";
import { type IdempotencyStore } from "./idempotency";
import { expandList } from "./params";
import * as pi from "./payment-intents";
import * as refunds from "./refunds";
import { newId } from "./state";

type Handler = (ctx: SandboxContext, id: string, params: Params, req: RequestInfo) => unknown;

// Plain retrieval for the objects a webhook handler may want to re-read.
function retrieve(prefix: string): Handler {
  return (ctx, id, params) => {
    if (!id.startsWith(`${prefix}_`)) throw resourceMissing(id, "id");
    return ctx.state.expand(ctx.state.viewById(id), expandList(params));
  };
}

const ROUTES: Array<[method: string, pattern: RegExp, handler: Handler]> = [
  ["POST", /^\/v1\/payment_intents$/, (ctx, _id, params, req) => pi.createPaymentIntent(ctx, params, req)],
  ["GET", /^\/v1\/payment_intents\/([^/]+)$/, (ctx, id, params) => pi.retrievePaymentIntent(ctx, id, params)],
  ["POST", /^\/v1\/payment_intents\/([^/]+)$/, (ctx, id, params) => pi.updatePaymentIntent(ctx, id, params)],
  ["POST", /^\/v1\/payment_intents\/([^/]+)\/confirm$/, pi.confirmPaymentIntent],
  ["POST", /^\/v1\/payment_intents\/([^/]+)\/cancel$/, pi.cancelPaymentIntent],
  ["POST", /^\/v1\/refunds$/, (ctx, _id, params, req) => refunds.createRefund(ctx, params, req)],
  ["GET", /^\/v1\/refunds\/([^/]+)$/, (ctx, id, params) => refunds.retrieveRefund(ctx, id, params)],
  ["GET", /^\/v1\/charges\/([^/]+)$/, retrieve("ch")],
  ["GET", /^\/v1\/payment_methods\/([^/]+)$/, retrieve("pm")],
  ["GET", /^\/v1\/disputes\/([^/]+)$/, retrieve("dp")],
  ["GET", /^\/v1\/events\/([^/]+)$/, retrieve("evt")],
];

const MAX_BODY_BYTES = 1_000_000;

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error("request body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function mask(key: string): string {
  return key.length <= 12 ? "*".repeat(key.length) : `${key.slice(0, 8)}${"*".repeat(key.length - 12)}${key.slice(-4)}`;
}

// Bearer like the SDK, or Basic with the key as user name like `curl -u sk_test_...:`.
function authenticate(header: string | undefined): string {
  if (!header) {
    throw authError(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  const [scheme = "", value = ""] = header.split(/\s+/, 2);
  const key = /^basic$/i.test(scheme) ? (Buffer.from(value, "base64").toString("utf8").split(":")[0] ?? "") : value;
  if (!/^bearer$|^basic$/i.test(scheme) || !key.startsWith("sk_test_")) {
    throw authError(`Invalid API Key provided: ${mask(key)}`);
  }
  return key;
}

export interface V1Deps {
  ctx: SandboxContext;
  idempotency: IdempotencyStore;
}

export interface V1Response {
  status: number;
  body: unknown;
  headers: http.OutgoingHttpHeaders;
  /** False for reads: nothing changed, so nothing needs to be saved. */
  mutating: boolean;
}

// Runs one API request to completion and returns the answer; the caller decides whether it is sent.
export async function handleV1(deps: V1Deps, req: http.IncomingMessage, url: URL): Promise<V1Response> {
  const method = req.method ?? "GET";
  const requestId = newId("req", 14);
  const headers: http.OutgoingHttpHeaders = {
    "Request-Id": requestId,
    "Stripe-Version": req.headers["stripe-version"] ?? SANDBOX_API_VERSION,
  };
  const answer = (status: number, body: unknown): V1Response => {
    deps.ctx.log(`stripe-sandbox ${method} ${url.pathname} -> ${status}`);
    return { status, body, headers, mutating: method !== "GET" };
  };
  try {
    const apiKey = authenticate(req.headers.authorization);
    const raw = await readBody(req);
    const params = { ...parseForm(url.search.slice(1)), ...parseForm(raw) };
    const route = ROUTES.map(([m, pattern, handler]) => ({ m, match: pattern.exec(url.pathname), handler })).find(
      (r) => r.m === method && r.match,
    );
    if (!route?.match) {
      throw invalidRequest(`Unrecognized request URL (${method}: ${url.pathname}).`, { status: 404 });
    }
    const key = method === "POST" ? req.headers["idempotency-key"] : undefined;
    const idempotencyKey = typeof key === "string" && key !== "" ? key : null;
    if (idempotencyKey) {
      headers["Idempotency-Key"] = idempotencyKey;
      const stored = deps.idempotency.lookup(apiKey, idempotencyKey, url.pathname, params);
      if (stored) {
        headers["Idempotent-Replayed"] = "true";
        return answer(stored.status, stored.body);
      }
    }
    const info: RequestInfo = { requestId, idempotencyKey };
    let status = 200;
    let body: unknown;
    try {
      body = route.handler(deps.ctx, decode(route.match[1] ?? ""), params, info);
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      status = error.status;
      body = { error: error.body };
      if (!error.replayable) return answer(status, body);
    }
    if (idempotencyKey) deps.idempotency.save(apiKey, idempotencyKey, url.pathname, params, { status, body });
    return answer(status, body);
  } catch (error) {
    if (error instanceof StripeApiError) return answer(error.status, { error: error.body });
    deps.ctx.log(`stripe-sandbox internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return answer(500, { error: { type: "api_error", message: "An unknown error occurred" } });
  }
}
