// A route is declared once: every handler serves the contract its manifest entry names, and the
// stack applies what the contract declares (here the cache policy of public reads, and the
// participants page size), over HTTP through the local API server.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb } from "@evently/functions/lib/db";
import { routes } from "@evently/functions/routes";
import { startApiServer, type ApiServer } from "@evently/local/server/http-server";
import { signLocalToken } from "@evently/local/tokens";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { makeActor, makeEvent, type TestActor } from "../../support/fixtures";

let t: TestDatabase;
let api: ApiServer;
let org: TestActor;
let member: TestActor;
let eventId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  setDb(t.db);
  api = await startApiServer({ routes, port: 0 });
  [org, member] = await Promise.all([makeActor(t.db, { role: "organizer" }), makeActor(t.db)]);
  eventId = (await makeEvent(t.db, org)).id;
});
afterAll(async () => {
  await api.close();
  await t.destroy();
});

async function get(path: string, as?: TestActor) {
  const headers: Record<string, string> = as ? { authorization: `Bearer ${await signLocalToken(as.as)}` } : {};
  const res = await fetch(`${api.url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe("the manifest", () => {
  it("names each method and path once, and each handler module serves exactly the contract its entry pairs it with", async () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const entry of routes) {
      const mod = (await import(`@evently/functions/${entry.handler}`)) as { handler: { route: (typeof routes)[number] } };
      const { method, path, access, idempotency, cacheSeconds } = mod.handler.route;
      expect({ method, path, access, idempotency, cacheSeconds }, entry.handler).toEqual({
        method: entry.method,
        path: entry.path,
        access: entry.access,
        idempotency: entry.idempotency,
        cacheSeconds: entry.cacheSeconds,
      });
    }
  });

  it("is read by no handler but the OpenAPI one: a function bundles its own domain's contracts, not the whole API's", async () => {
    for (const entry of routes.filter((r) => r.handler !== "http/openapi")) {
      const source = await readFile(new URL(`../../../packages/functions/src/${entry.handler}.ts`, import.meta.url), "utf8");
      expect(source, entry.handler).not.toMatch(/from "(\.\.?\/)+routes"/);
    }
  });
});

describe("Cache-Control on public reads", () => {
  it("lets any cache keep the public reads, availability only seconds", async () => {
    const expected: Record<string, string> = {
      "/events": "public, max-age=30",
      [`/events/${eventId}/availability`]: "public, max-age=5",
      "/venues": "public, max-age=300",
      "/categories": "public, max-age=300",
      "/.well-known/ticket-keys": "public, max-age=300",
      "/openapi.json": "public, max-age=300",
    };
    for (const [path, cacheControl] of Object.entries(expected)) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe(cacheControl);
      expect(res.headers.get("vary"), path).toBeNull();
    }
  });

  it("shares an event read without a token, never one read with a token, and keys caches on the token", async () => {
    const anonymous = await get(`/events/${eventId}`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("cache-control")).toBe("public, max-age=30");
    expect(anonymous.headers.get("vary")).toBe("Authorization");
    for (const who of [org, member]) {
      const mine = await get(`/events/${eventId}`, who);
      expect(mine.status).toBe(200);
      expect(mine.headers.get("cache-control")).toBe("private, no-store");
      expect(mine.headers.get("vary")).toBe("Authorization");
    }
  });

  it("never on a problem, nor on a caller's own reads", async () => {
    const missing = await get("/events/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBeNull();
    const bad = await get("/events?limit=0");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("cache-control")).toBeNull();
    const me = await get("/me", member);
    expect(me.status).toBe(200);
    expect(me.headers.get("cache-control")).toBeNull();
  });
});

describe("GET /events/{eventId}/participants page size", () => {
  it("takes up to 500 at a time", async () => {
    const res = await get(`/events/${eventId}/participants?limit=500`, org);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ items: [], nextCursor: null });
  });

  it.each(["501", "0", "5000", "1e2", "-1"])("refuses limit=%s with 400 validation_failed naming limit", async (limit) => {
    const res = await get(`/events/${eventId}/participants?limit=${limit}`, org);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({ code: "validation_failed", errors: [{ path: "limit", message: "Must be a whole number 1–500" }] });
  });

  it("keeps other lists at 100", async () => {
    const res = await get("/events?limit=101");
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "validation_failed", errors: [{ path: "limit", message: "Must be a whole number 1–100" }] });
  });
});
