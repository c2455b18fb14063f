// The walking skeleton over HTTP: health, the caller, OpenAPI, and problem responses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
beforeAll(async () => (rt = await startTestRuntime()));
afterAll(() => rt.stop());

describe("GET /health", () => {
  it("answers ok with the database reachable, with a request id", async () => {
    const res = await rt.call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(await res.json()).toEqual({ status: "ok", db: "ok" });
  });
});

describe("GET /me", () => {
  it("is 401 with a problem body without a token, or with a bad one", async () => {
    for (const headers of [{}, { authorization: "Bearer not-a-jwt" }] as Record<string, string>[]) {
      const res = await rt.call("GET", "/me", { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(await res.json()).toMatchObject({ status: 401, code: "unauthorized", title: "Unauthorized" });
    }
  });

  it("returns the caller and creates the user once however often it is called", async () => {
    const as = { sub: "user-me-1", role: "organizer" as const };
    const bodies = await Promise.all(Array.from({ length: 8 }, () => rt.call("GET", "/me", { as }).then((r) => r.json())));
    const first = bodies[0] as { id: string };
    expect(first).toMatchObject({ email: "user-me-1@example.test", roles: expect.arrayContaining(["member", "organizer"]) });
    for (const b of bodies) expect(b).toEqual(first);
    const rows = await rt.db.selectFrom("users").select("id").where("externalId", "=", "user-me-1").execute();
    expect(rows).toEqual([{ id: first.id }]);
  });
});

describe("problems", () => {
  it("unknown paths and methods are 4xx problems", async () => {
    expect((await rt.call("GET", "/nope")).status).toBe(404);
    const res = await rt.call("DELETE", "/health");
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ code: "method_not_allowed" });
  });
});

describe("GET /openapi.json", () => {
  it("documents every route of the manifest", async () => {
    const { routes } = await import("@evently/functions/routes");
    const doc = (await (await rt.call("GET", "/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    for (const r of routes) expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
  });
});
