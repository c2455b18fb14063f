// The product and its raw baseline, running: one database shared by the HTTP, rush and webhook
// stages, the local runtime and the raw server each in its own process. Started on first use and
// stopped at the end of the run (one start instead of three).
import pg from "pg";
import type { BenchPostgres } from "./pg";
import { startServerChild, type ServerChild } from "./proc";

export interface Live {
  url: string;
  /** 20 connections, like the runtime's pool. */
  pool: pg.Pool;
  runtime: ServerChild;
  raw: ServerChild;
  apiUrl: string;
  rawUrl: string;
  /** The runtime's Stripe sandbox. */
  sandboxUrl: string;
}

export async function startLive(postgres: BenchPostgres, log: (line: string) => void): Promise<Live & { stop(): Promise<void> }> {
  const url = await postgres.createDatabase("bench_live");
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  pool.on("error", () => undefined);
  const runtime = await startServerChild("runtime-child.ts", { BENCH_DATABASE_URL: url }, "runtime");
  const raw = await startServerChild("raw-server.ts", { BENCH_DATABASE_URL: url }, "raw").catch(async (error: unknown) => {
    await runtime.stop();
    throw error;
  });
  const live = {
    url,
    pool,
    runtime,
    raw,
    apiUrl: String(runtime.ready.apiUrl),
    rawUrl: String(raw.ready.apiUrl),
    sandboxUrl: String(runtime.ready.sandboxUrl),
  };
  log(`local runtime ${live.apiUrl} (pid ${runtime.pid}, Stripe sandbox ${live.sandboxUrl}); raw baseline ${live.rawUrl} (pid ${raw.pid})`);
  return {
    ...live,
    async stop() {
      await Promise.all([runtime.stop().catch(() => undefined), raw.stop().catch(() => undefined)]);
      await pool.end().catch(() => undefined);
    },
  };
}
