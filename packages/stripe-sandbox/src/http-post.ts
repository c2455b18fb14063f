// One webhook POST over node:http(s) without keep-alive, so an idle sandbox holds no sockets open.
import http from "node:http";
import https from "node:https";

export interface PostResult {
  status: number | null;
  error: string | null;
  responseBody: string;
}

// Enough of the receiver's answer to explain a rejection in the delivery log.
const MAX_BODY = 1024;

export function postWebhook(
  url: string,
  body: string,
  signature: string,
  timeoutMs: number,
  inflight: Set<http.ClientRequest>,
): Promise<PostResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ status: null, error: `invalid webhook URL: ${url}`, responseBody: "" });
  }
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    let status: number | null = null;
    let text = "";
    const request = client.request(target, {
      method: "POST",
      agent: false,
      timeout: timeoutMs,
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(body),
        "Stripe-Signature": signature,
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "Cache-Control": "no-cache",
        Accept: "*/*; q=0.5, application/xml",
      },
    });
    const done = (error: string | null) => {
      if (settled) return;
      settled = true;
      inflight.delete(request);
      resolve({ status, error, responseBody: text });
    };
    request.on("response", (res) => {
      status = res.statusCode ?? null;
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (text.length < MAX_BODY) text += chunk.slice(0, MAX_BODY - text.length);
      });
      res.on("end", () => done(null));
      res.on("error", (e) => done(e.message));
    });
    request.on("timeout", () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    request.on("error", (e) => done(e.message));
    // A status line without a complete body still tells whether the receiver accepted the event.
    request.on("close", () => done(status === null ? "connection closed" : null));
    inflight.add(request);
    request.end(body);
  });
}
