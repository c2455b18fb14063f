// Load generation: autocannon (programmatic) with exact per-request latencies and a request
// factory per request (distinct tokens, idempotency keys, bodies), a burst of N requests sent at the
// same instant over pre-opened sockets, and a bounded-concurrency runner for in-process work.
import http from "node:http";
import autocannon from "autocannon";
import { signLocalToken } from "@evently/local/tokens";
import { percentile, perSecond } from "./stats";

export interface RequestSpec {
  method: "GET" | "POST" | "DELETE" | "PATCH";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  durationMs: number;
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  errors: number;
  /** 2xx responses per second. */
  okPerSecond: number;
}

/**
 * Runs `amount` requests (or for `durationS` seconds) at `connections` concurrent connections.
 * `make(i)` builds request i (i counts up across the run). Latencies are recorded per response,
 * to the microsecond, for every status (autocannon's own histogram keeps whole ms, 2xx only).
 */
export async function loadTest(o: {
  url: string;
  connections: number;
  amount?: number;
  durationS?: number;
  make: (i: number) => RequestSpec;
}): Promise<LoadResult> {
  let counter = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const instance = autocannon({
    url: o.url,
    connections: o.connections,
    ...(o.amount ? { amount: o.amount } : { duration: o.durationS ?? 5 }),
    timeout: 30,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const spec = o.make(counter++);
          req.method = spec.method;
          req.path = spec.path;
          req.headers = { ...(spec.body !== undefined ? { "content-type": "application/json" } : {}), ...spec.headers };
          req.body = spec.body;
          return req;
        },
      },
    ],
  } as unknown as autocannon.Options) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  // autocannon resolves on its next one-second tick, not at the last response: time it ourselves.
  let lastResponseAt = 0;
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    lastResponseAt = performance.now();
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const durationMs = (lastResponseAt || performance.now()) - started;
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statuses)
    .filter(([s]) => s.startsWith("2"))
    .reduce((n, [, c]) => n + c, 0);
  return {
    requests: latencies.length,
    durationMs,
    rps: perSecond(latencies.length, durationMs),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses,
    errors: result.errors + result.timeouts,
    okPerSecond: perSecond(ok, durationMs),
  };
}

/**
 * One request that must answer 2xx before a route is measured; otherwise the reason to skip it
 * (a handler that has not landed answers 404 "No route" from the local gateway; a broken one 5xx).
 */
export async function smoke(baseUrl: string, spec: RequestSpec, errors: () => string[] = () => []): Promise<string | undefined> {
  const res = await fetch(`${baseUrl}${spec.path}`, {
    method: spec.method,
    headers: { ...(spec.body !== undefined ? { "content-type": "application/json" } : {}), ...spec.headers },
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  });
  const text = await res.text();
  if (res.ok) return undefined;
  if (res.status === 404 && /No route/.test(text)) return `the local runtime has no ${spec.method} route for ${spec.path} yet`;
  const cause = errors().find((line) => /Error/.test(line));
  return `${spec.method} ${spec.path.replace(/[0-9a-f-]{36}/g, "{id}")} answers ${res.status}${cause ? ` (runtime: ${cause.trim().slice(0, 160)})` : ` ${text.slice(0, 160)}`}`;
}

/** Distinct local tokens (HS256, like Cognito's claims), signed before the clock starts. */
export async function signTokens(prefix: string, count: number, role?: "member" | "organizer" | "admin"): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 500) {
    tokens.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(500, count - i) }, (_, j) =>
          signLocalToken({ sub: `${prefix}-${i + j}`, ...(role ? { role } : {}) }),
        ),
      )),
    );
  }
  return tokens;
}

export interface BurstResponse {
  status: number;
  /** Milliseconds from the burst's start until this response ended. */
  doneMs: number;
  body: string;
}

/**
 * Sends all requests at the same instant, each on its own already-open keep-alive socket (opened
 * beforehand with a cheap request, so the TCP backlog does not stagger the burst).
 */
export async function burst(
  baseUrl: string,
  requests: RequestSpec[],
  warmPath = "/__bench_warm",
): Promise<{ responses: BurstResponse[]; totalMs: number }> {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: requests.length + 10 });
  const send = (spec: RequestSpec, started: number) =>
    new Promise<BurstResponse>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: spec.method,
          path: spec.path,
          agent,
          headers: { ...(spec.body !== undefined ? { "content-type": "application/json" } : {}), ...spec.headers },
        },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, doneMs: performance.now() - started, body }));
        },
      );
      req.on("error", reject);
      req.end(spec.body);
    });
  // One warm-up request per socket, all at once: the agent keeps every socket open afterwards.
  // (Connects beyond the listen backlog are retried by TCP, which only slows this warm-up.)
  await Promise.all(Array.from({ length: requests.length }, () => send({ method: "GET", path: warmPath }, 0)));
  const open = Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
  if (open < requests.length) throw new Error(`burst: only ${open} of ${requests.length} sockets stayed open`);
  const started = performance.now();
  const responses = await Promise.all(requests.map((r) => send(r, started)));
  const totalMs = performance.now() - started;
  agent.destroy();
  return { responses, totalMs };
}

/** Runs `total` tasks with at most `concurrency` at once; returns per-task latencies (ms). */
export async function runConcurrent(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<{ latencies: number[]; durationMs: number; failures: number; results: unknown[] }> {
  let next = 0;
  let failures = 0;
  const latencies: number[] = [];
  const results: unknown[] = new Array(total);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const s = performance.now();
        try {
          results[i] = await task(i);
        } catch (error) {
          failures++;
          results[i] = error;
        }
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), durationMs: performance.now() - started, failures, results };
}
