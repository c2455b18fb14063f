// The local API Gateway: serves every route of the manifest by invoking the same handler modules
// with real HTTP API v2 events, verifying local JWTs where API Gateway's authorizer would.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { needsAuthorizer, type RouteDef } from "@evently/functions/manifest";
import { problem, problemResponse } from "@evently/functions/lib/problem";
import { verifyLocalToken } from "../tokens";
import { buildEvent } from "./apigw-event";
import { createInvocationGate } from "./concurrency";
import { corsPolicy, createCors } from "./cors";
import { invokeWithLimit, type Handler } from "./invoke";
import { createRouter } from "./router";

const MAX_BODY = 1024 * 1024;

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const handlers = new Map<string, Promise<Handler>>();
function loadFunctionHandler(module: string): Promise<Handler> {
  let loaded = handlers.get(module);
  if (!loaded) {
    loaded = import(`@evently/functions/${module}`).then((m: { handler: Handler }) => m.handler);
    handlers.set(module, loaded);
  }
  return loaded;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2) {
  const body = result.body === undefined ? "" : result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body;
  res.writeHead(result.statusCode ?? 200, { ...result.headers, ...(result.cookies?.length ? { "set-cookie": result.cookies } : {}) });
  res.end(body);
}

const reject = (res: ServerResponse, status: number, code: string, detail: string) =>
  send(res, problemResponse(problem(status, code, detail), "local-gateway"));

/** What the JWT authorizer does: a valid token's claims, or a 401 before the function runs. */
async function authorize(route: RouteDef, req: IncomingMessage): Promise<Record<string, unknown> | undefined | "denied"> {
  if (!needsAuthorizer(route)) return undefined;
  const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  if (!token) return "denied";
  try {
    return await verifyLocalToken(token);
  } catch {
    return "denied";
  }
}

export interface ApiServerOptions {
  routes: readonly RouteDef[];
  port?: number;
  host?: string;
  /** Where handler modules come from (default: packages/functions); tests hand in their own. */
  loadHandler?: (module: string) => Promise<Handler>;
  /** Invocations at once (concurrency.ts); the runtime passes its database pool size. */
  concurrency?: number;
  /** Allowed origins (CORS_ORIGINS); any origin when unset. */
  corsOrigins?: readonly string[];
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const router = createRouter(options.routes);
  const loadHandler = options.loadHandler ?? loadFunctionHandler;
  const gate = createInvocationGate(options.concurrency ?? Infinity);
  const cors = createCors(corsPolicy(options.corsOrigins));
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the body catches every error and always answers
  const server = createServer(async (req, res) => {
    try {
      if (cors(req, res)) return; // a preflight, answered as API Gateway does
      const url = new URL(req.url ?? "/", "http://local");
      const match = router.match(req.method ?? "GET", url.pathname);
      if (match === undefined) return reject(res, 404, "not_found", `No route for ${url.pathname}`);
      if (match === null) return reject(res, 405, "method_not_allowed", `${req.method} is not allowed on ${url.pathname}`);
      const claims = await authorize(match.route, req);
      if (claims === "denied") return reject(res, 401, "unauthorized", "A valid bearer token is required");
      const body = await readBody(req);
      if (!body) return reject(res, 413, "payload_too_large", "The request body exceeds 1 MB");
      const event = buildEvent(req, url, match, body, claims);
      const handler = await loadHandler(match.route.handler);
      const invocation = await gate.run(() => invokeWithLimit(match.route, handler, event));
      if (invocation.failure === "error") console.error(`local gateway: ${match.route.handler} failed`, invocation.error);
      else if (invocation.failure)
        console.error(`local gateway: ${match.route.handler} exceeded its ${match.route.timeoutSeconds} s limit (${invocation.failure})`);
      if (!res.destroyed) send(res, invocation.result);
    } catch (error) {
      // The handler's own stack turns errors into problems; reaching here is a runtime fault.
      console.error("local gateway error", error);
      if (!res.headersSent) reject(res, 500, "internal_error", "An unexpected error occurred");
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
