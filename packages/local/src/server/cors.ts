// CORS as API Gateway's HTTP API applies it: preflights answered by the gateway itself (the
// function never runs), and the allow-origin / expose headers added to every other response.
// Same rules as infra (API_CORS), origins from CORS_ORIGINS; without it any origin, as in a dev stage.
import type { IncomingMessage, ServerResponse } from "node:http";
import { config } from "@evently/functions/lib/config";
import { API_CORS } from "../../../../infra/contracts";

export interface CorsPolicy {
  allowOrigins: readonly string[];
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
}

export const corsPolicy = (origins: readonly string[] = config.corsOrigins): CorsPolicy => ({
  ...API_CORS,
  allowOrigins: origins.length ? origins : ["*"],
});

/** The Access-Control-Allow-Origin value for this request's Origin, or undefined if not allowed. */
function allowedOrigin(policy: CorsPolicy, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (policy.allowOrigins.includes("*")) return "*";
  return policy.allowOrigins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

/**
 * Returns the request hook: answers a preflight (204, the allow headers only for an allowed origin
 * and method) and returns true; otherwise sets the response's CORS headers and returns false.
 */
export function createCors(policy: CorsPolicy) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const origin = allowedOrigin(policy, req.headers.origin);
    const requested = req.headers["access-control-request-method"];
    if (req.method === "OPTIONS" && req.headers.origin && requested) {
      const headers: Record<string, string> = {};
      if (origin && policy.allowMethods.includes(requested.toUpperCase())) {
        headers["access-control-allow-origin"] = origin;
        headers["access-control-allow-methods"] = policy.allowMethods.join(",");
        headers["access-control-allow-headers"] = policy.allowHeaders.join(",");
        if (origin !== "*") headers.vary = "origin";
      }
      res.writeHead(204, headers).end();
      return true;
    }
    if (origin) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-expose-headers", policy.exposeHeaders.join(","));
      if (origin !== "*") res.setHeader("vary", "origin");
    }
    return false;
  };
}
