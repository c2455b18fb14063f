// Child processes: a one-shot node run (cold-start imports) and long-lived TypeScript servers
// (the local runtime, the raw baseline) that talk to the bench over IPC.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ROOT } from "./report";

/** Runs `node <args>` to completion and returns its stdout (throws on a non-zero exit). */
export function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`node ${args.join(" ")} exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}

export interface Message {
  type: string;
  id?: number;
  [key: string]: unknown;
}

export interface ServerChild {
  pid: number;
  ready: Message;
  /** The child's most recent stderr lines (its own error reports). */
  recentErrors(): string[];
  /** Sends a command and waits for the reply with the same id. */
  request<T = Message>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts `tests/bench/<script>` under tsx in its own process and waits for its `ready` message.
 * stderr is passed through (prefixed) so a crash in the child is visible in the bench output.
 */
export function startServerChild(script: string, env: NodeJS.ProcessEnv, label: string, timeoutMs = 60_000): Promise<ServerChild> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests/bench", script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  // A broken handler can log the same error thousands of times: pass the first lines through,
  // keep the latest ones for the caller, and count the rest.
  const recent: string[] = [];
  let printed = 0;
  let suppressed = 0;
  child.stderr?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      if (printed++ < 30) console.error(`[${label}] ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`);
      else suppressed++;
    }
  });
  child.once("exit", () => {
    if (suppressed) console.error(`[${label}] … ${suppressed} more stderr lines not shown`);
  });
  let nextId = 1;
  const pending = new Map<number, (m: Message) => void>();
  child.on("message", (m: Message) => {
    if (m.id !== undefined) {
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code} before it was ready`));
    });
    const onReady = (m: Message) => {
      if (m.type === "error") {
        clearTimeout(timer);
        reject(new Error(`${label}: ${String(m.message)}`));
        return;
      }
      if (m.type !== "ready") return;
      clearTimeout(timer);
      child.off("message", onReady);
      resolve({
        pid: child.pid!,
        ready: m,
        recentErrors: () => [...recent],
        request(cmd, args = {}, wait = 120_000) {
          const id = nextId++;
          return new Promise((res, rej) => {
            const t = setTimeout(() => {
              pending.delete(id);
              rej(new Error(`${label}: ${cmd} got no answer in ${wait} ms`));
            }, wait);
            pending.set(id, (m) => {
              clearTimeout(t);
              if (m.type === "error") rej(new Error(`${label}: ${cmd}: ${String(m.message)}`));
              else res(m as never);
            });
            child.send({ cmd, id, ...args });
          });
        },
        async stop() {
          if (child.exitCode !== null) return;
          child.send({ cmd: "stop", id: 0 });
          const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
          await exited;
          clearTimeout(killer);
        },
      });
    };
    child.on("message", onReady);
  });
}
