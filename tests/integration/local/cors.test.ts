// The local API answers CORS as API Gateway's HTTP API does with the deployed rules: preflights by
// the gateway itself, allow-origin and expose headers on every response, only for allowed origins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "@evently/functions/routes";
import { startApiServer, type ApiServer } from "@evently/local/server/http-server";
import { API_CORS } from "../../../infra/contracts";

const APP = "https://app.example.com";
let narrow: ApiServer;
let open: ApiServer;
beforeAll(async () => {
  [narrow, open] = await Promise.all([startApiServer({ routes, corsOrigins: [APP, "http://localhost:5173"] }), startApiServer({ routes })]);
});
afterAll(() => Promise.all([narrow.close(), open.close()]));

const preflight = (server: ApiServer, path: string, origin: string, method = "POST") =>
  fetch(`${server.url}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization,content-type" },
  });

describe("CORS on the local API", () => {
  it("answers a preflight from an allowed origin with the deployed rules, without running a function", async () => {
    const res = await preflight(narrow, "/events/00000000-0000-4000-8000-000000000000/orders", APP);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-methods")).toBe(API_CORS.allowMethods.join(","));
    expect(res.headers.get("access-control-allow-headers")).toBe(API_CORS.allowHeaders.join(","));
    expect(res.headers.get("x-request-id")).toBeNull(); // no function answered
    expect(await res.text()).toBe("");
  });

  it("gives another origin, or a method the API does not allow, no allow headers", async () => {
    for (const res of [await preflight(narrow, "/events", "https://evil.example.net"), await preflight(narrow, "/events", APP, "PUT")]) {
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(res.headers.get("access-control-allow-methods")).toBeNull();
    }
  });

  it("adds allow-origin and the exposed headers to real responses, the gateway's own 401 included", async () => {
    const ok = await fetch(`${narrow.url}/openapi.json`, { headers: { origin: "http://localhost:5173" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(ok.headers.get("access-control-expose-headers")).toBe("x-request-id");
    const denied = await fetch(`${narrow.url}/me`, { headers: { origin: APP } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe(APP);
    const foreign = await fetch(`${narrow.url}/openapi.json`, { headers: { origin: "https://evil.example.net" } });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows any origin when CORS_ORIGINS is not set, as a development stage does", async () => {
    const res = await preflight(open, "/events", "http://localhost:3001");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(
      (await fetch(`${open.url}/openapi.json`, { headers: { origin: "http://localhost:3001" } })).headers.get(
        "access-control-allow-origin",
      ),
    ).toBe("*");
  });
});
