// GET /health: the service answers and the database is reachable (503 otherwise).
import { databaseReachable } from "@evently/core/health";
import { health } from "../api/system";
import { getDb } from "../lib/db";
import { http, reply } from "../lib/http";

export const handler = http(health, async () => {
  const ok = await getDb().then(databaseReachable, () => false);
  return ok ? { status: "ok", db: "ok" } : reply(503, { status: "error", db: "unreachable" });
});
