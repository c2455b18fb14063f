// GET /health reports an unreachable database as 503 (its own file: it owns the runtime's database).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startPostgres } from "@evently/local/postgres";
import { startLocalRuntime } from "@evently/local/runtime";

describe("GET /health", () => {
  it("answers 503 once the database is stopped", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "evently-health-"));
    await chmod(root, 0o755);
    const pg = await startPostgres(path.join(root, "data"), { persistent: false });
    const runtime = await startLocalRuntime({ databaseUrl: pg.adminUrl, port: 0 });
    try {
      expect((await fetch(`${runtime.apiUrl}/health`)).status).toBe(200);
      await pg.stop();
      const res = await fetch(`${runtime.apiUrl}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "error", db: "unreachable" });
    } finally {
      await runtime.stop();
      await rm(root, { recursive: true, force: true });
    }
  });
});
