// For the crash tests: the runtime in a child process (runtime-child.ts) that a failpoint armed with
// `exit` kills, on a PostgreSQL cluster of the test's own (so it can be stopped and started), with
// the Stripe sandbox on one port and one state directory across restarts.
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { createDb, type Db } from "@evently/core/db/client";
import { startPostgres, freePort, type LocalPostgres } from "@evently/local/postgres";
import { signLocalToken } from "@evently/local/tokens";
import type { TestActor } from "../../support/fixtures";

export interface Child {
  apiUrl: string;
  /** Resolves with the signal that ended the process (SIGKILL after an `exit` failpoint). */
  exited: Promise<NodeJS.Signals | null>;
  expireHolds(): Promise<{ error?: string }>;
  /** Arms failpoints in the running process (FAILPOINTS syntax). */
  arm(failpoints: string): Promise<{ error?: string }>;
  stop(): Promise<void>;
}

export interface CrashWorld {
  db: Db;
  databaseUrl: string;
  sandboxUrl: string;
  /** Starts the runtime with these failpoints armed (FAILPOINTS syntax). */
  start(failpoints?: string): Promise<Child>;
  stopDatabase(): Promise<void>;
  startDatabase(): Promise<void>;
  /** Time passes: leases of attempts that died (keys, tasks) run out, backoffs end. */
  expireLeases(): Promise<void>;
  destroy(): Promise<void>;
}

const CHILD = path.join(__dirname, "runtime-child.ts");

function startChild(env: NodeJS.ProcessEnv): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  const stderr: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  let nextId = 1;
  const replies = new Map<number, (m: { error?: string }) => void>();
  const ask = (message: Record<string, unknown>) => {
    const id = nextId++;
    return new Promise<{ error?: string }>((done) => {
      replies.set(id, done);
      child.send({ ...message, id });
      void exited.then(() => done({ error: "the runtime died" }));
    });
  };
  return new Promise((resolve, reject) => {
    child.on("message", (m: { type?: string; id?: number; apiUrl?: string; message?: string; error?: string }) => {
      if (m.id !== undefined) replies.get(m.id)?.(m);
      else if (m.type === "error") reject(new Error(m.message));
      else if (m.type === "ready" && m.apiUrl) {
        resolve({
          apiUrl: m.apiUrl,
          exited,
          expireHolds: () => ask({ cmd: "expire-holds" }),
          arm: (failpoints) => ask({ cmd: "arm", failpoints }),
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.disconnect();
            await exited;
          },
        });
      }
    });
    void exited.then(() => reject(new Error(`the runtime exited before it was ready: ${stderr.join("").slice(-2000)}`)));
  });
}

export async function startCrashWorld(): Promise<CrashWorld> {
  const root = await mkdtemp(path.join(tmpdir(), "evently-crash-"));
  await chmod(root, 0o755);
  const pgPort = await freePort();
  const sandboxPort = await freePort();
  let pg: LocalPostgres = await startPostgres(path.join(root, "data"), { port: pgPort });
  const databaseUrl = pg.adminUrl;
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  // The test process's own Stripe gateway (the sweeps it runs) talks to the child's sandbox.
  process.env.STRIPE_API_BASE = sandboxUrl;
  const db = createDb({ connectionString: databaseUrl, max: 5 });
  const env = {
    CHILD_DATABASE_URL: databaseUrl,
    CHILD_SANDBOX_PORT: String(sandboxPort),
    CHILD_STRIPE_STATE_DIR: path.join(root, "stripe"),
  };
  return {
    db,
    databaseUrl,
    sandboxUrl,
    start: (failpoints = "") => startChild({ ...env, FAILPOINTS: failpoints }),
    stopDatabase: () => pg.stop(),
    async startDatabase() {
      pg = await startPostgres(path.join(root, "data"), { port: pgPort });
    },
    async expireLeases() {
      await db.updateTable("idempotencyKeys").set({ lockedUntil: null }).where("status", "=", "in_progress").execute();
      await db
        .updateTable("providerTasks")
        .set({ lockedUntil: null, nextAttemptAt: sql`now()` })
        .where("status", "=", "pending")
        .execute();
    },
    async destroy() {
      await db.destroy();
      await pg.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** One HTTP call to the child's API; a connection cut by a crash is answered "connection reset". */
export async function api(
  apiUrl: string,
  method: string,
  route: string,
  as: TestActor,
  body?: unknown,
  key?: string,
): Promise<{ status: number | "connection reset"; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${await signLocalToken(as.as)}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (key) headers["idempotency-key"] = key;
  try {
    const res = await fetch(`${apiUrl}${route}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  } catch {
    return { status: "connection reset", body: {} };
  }
}
