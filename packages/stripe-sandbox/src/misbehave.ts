// Serves one API request through the fault book: delays it, answers an error, drops it, or withholds the answer.
import type http from "node:http";
import type Stripe from "stripe";
import { type FaultBook, type FaultStatus } from "./faults";
import { newId } from "./state";
import { readBody, sendJson, type V1Response } from "./server";

// The bodies Stripe sends for these statuses; the SDK picks its error class from the status.
const ERROR_BODIES = {
  429: {
    type: "invalid_request_error",
    code: "rate_limit",
    message: "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
    doc_url: "https://stripe.com/docs/error-codes/rate-limit",
  },
  500: { type: "api_error", message: "An unknown error occurred" },
  503: { type: "api_error", message: "Stripe is temporarily unavailable. Please try again later." },
} satisfies Record<FaultStatus, Stripe.StripeRawError>;

/** Requests accepted and never answered: kept until the client gives up, the fault is cleared or the sandbox stops. */
export class WithheldAnswers {
  private readonly open = new Set<http.ServerResponse>();

  hold(res: http.ServerResponse): void {
    this.open.add(res);
    res.on("close", () => this.open.delete(res));
  }

  // The client sees the connection end without an answer, as when a load balancer gives up.
  dropAll(): void {
    for (const res of this.open) res.socket?.destroy();
    this.open.clear();
  }
}

interface FaultyServeDeps {
  faults: FaultBook;
  withheld: WithheldAnswers;
  handle: () => Promise<V1Response>;
  /** Runs after the request was applied and before anything is sent (persistence). */
  applied: (response: V1Response) => void;
  log: (line: string) => void;
}

export async function serveWithFaults(deps: FaultyServeDeps, req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  const method = req.method ?? "GET";
  const { latencyMs, fault } = deps.faults.take(method, url.pathname);
  if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs).unref());
  if (fault) deps.log(`stripe-sandbox fault ${fault.id} ${fault.kind} on ${method} ${url.pathname}`);
  switch (fault?.kind) {
    case "error": {
      await readBody(req);
      const status = fault.status ?? 500;
      sendJson(res, status, { error: ERROR_BODIES[status] }, { "Request-Id": newId("req", 14) });
      return;
    }
    case "drop":
      req.socket.destroy();
      return;
    case "timeout":
      deps.withheld.hold(res);
      return;
  }
  const response = await deps.handle();
  deps.applied(response);
  // The nastiest real case: the effect happened, the client never learns it.
  if (fault?.kind === "timeout-after-apply") {
    deps.withheld.hold(res);
    return;
  }
  sendJson(res, response.status, response.body, response.headers);
}
