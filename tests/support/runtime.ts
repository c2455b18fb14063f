// Starts the local runtime (same code as `npm start`) on a fresh test database, on a free port.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLocalRuntime, type LocalRuntime } from "@evently/local/runtime";
import { signLocalToken, type LocalRole } from "@evently/local/tokens";
import { createTestDatabase, type TestDatabase } from "./db";
import { assertDocumentedResponse } from "./openapi-contract";

export interface TestRuntime extends LocalRuntime {
  database: TestDatabase;
  /** fetch against the API with an optional local token for `sub`/`role`. */
  call(
    method: string,
    path: string,
    options?: { as?: { sub: string; role?: LocalRole }; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

export async function startTestRuntime(): Promise<TestRuntime> {
  const database = await createTestDatabase();
  // Mail goes to a sink folder of its own, never to the repository's .local/mail.
  const mailDir = await mkdtemp(path.join(tmpdir(), "evently-mail-"));
  const runtime = await startLocalRuntime({ databaseUrl: database.url, port: 0, mailDir, queueTiming: "fast" });
  return {
    ...runtime,
    database,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.as) headers.authorization = `Bearer ${await signLocalToken(options.as)}`;
      if (options.body !== undefined) headers["content-type"] ??= "application/json";
      const url = `${runtime.apiUrl}${path}`;
      const res = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) } : {}),
      });
      // Every answer an e2e test sees must be one the OpenAPI document promises.
      await assertDocumentedResponse(method, url, res);
      return res;
    },
    async stop() {
      await runtime.stop();
      await database.destroy();
    },
  };
}
