// The published OpenAPI document is valid OpenAPI 3.1, every `$ref` resolves, every route's answers
// are documented, and the e2e response checker rejects what the document does not promise.
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApi } from "@evently/functions/lib/openapi";
import { routes } from "@evently/functions/routes";
import { createContractChecker, type OpenApiDocument } from "../support/openapi-contract";

const doc = buildOpenApi(routes);
const json = JSON.parse(JSON.stringify(doc)) as OpenApiDocument & Record<string, unknown>;
const op = (path: string, method: string) => json.paths[path]![method]!;

function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, found));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") found.push(v);
      else refs(v, found);
    }
  return found;
}

const resolve = (pointer: string): unknown =>
  pointer
    .replace(/^#\//, "")
    .split("/")
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], json);

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 by an independent validator", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(json));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it("has only references into its own components, and each of them resolves", () => {
    const all = [...new Set(refs(json))];
    expect(all.length).toBeGreaterThan(3);
    for (const ref of all) {
      expect(ref, ref).toMatch(/^#\/components\/schemas\//);
      expect(resolve(ref), ref).toBeTypeOf("object");
    }
    expect(Object.keys(json.components.schemas)).toEqual(
      expect.arrayContaining(["Problem", "Participation", "CheckIn", "Payment", "Refund", "GatewayMessage"]),
    );
  });

  it("documents the answers each route can give", () => {
    const statuses = (path: string, method: string) => Object.keys(op(path, method).responses);
    expect(statuses("/events/{eventId}/check-ins", "post")).toEqual(
      expect.arrayContaining(["200", "201", "400", "401", "403", "404", "409"]),
    );
    expect(statuses("/events/{eventId}/orders", "post")).toEqual(
      expect.arrayContaining(["201", "400", "401", "404", "409", "422", "502", "503"]),
    );
    // Member routes where the core lets managers and checkers in: other members are refused (403).
    expect(statuses("/events/{eventId}/participants", "get")).toContain("403");
    expect(statuses("/events/{eventId}/check-ins", "post")).toContain("422");
    expect(statuses("/tickets/{ticketId}/qr.svg", "get")).toEqual(expect.arrayContaining(["200", "404", "409"]));
    expect(statuses("/health", "get")).toEqual(expect.arrayContaining(["200", "503"]));
    expect(statuses("/events", "get")).not.toContain("401");
    expect(statuses("/me", "get")).not.toContain("403");
    for (const route of routes) expect(statuses(route.path, route.method.toLowerCase()), `${route.method} ${route.path}`).toContain("500");
  });

  it("names the problem codes of each status", () => {
    const conflict = op("/events/{eventId}/orders", "post").responses["409"]!.content!["application/problem+json"]!.schema;
    expect(conflict).toMatchObject({
      allOf: [
        { $ref: "#/components/schemas/Problem" },
        { properties: { code: { enum: expect.arrayContaining(["sold_out", "idempotency_key_in_progress"]) } } },
      ],
    });
  });
  it("documents the cache policy of public reads as response headers, and none elsewhere", () => {
    const header = (path: string, method = "get") =>
      (op(path, method).responses["200"] as { headers?: Record<string, { schema: Record<string, unknown> }> }).headers;
    expect(header("/events/{eventId}/availability")?.["Cache-Control"]?.schema).toEqual({ type: "string", const: "public, max-age=5" });
    expect(header("/openapi.json")?.["Cache-Control"]?.schema).toEqual({ type: "string", const: "public, max-age=300" });
    expect(header("/events/{eventId}")).toMatchObject({
      "Cache-Control": { schema: { enum: ["public, max-age=30", "private, no-store"] } },
      Vary: { schema: { const: "Authorization" } },
    });
    expect(header("/me")).toBeUndefined();
    expect(header("/events/{eventId}/participants")).toBeUndefined();
  });

  it("lets organizers page participants 500 at a time, other lists 100", () => {
    const limit = (path: string) =>
      (op(path, "get") as unknown as { parameters: { name: string; schema: Record<string, unknown> }[] }).parameters.find(
        (p) => p.name === "limit",
      )?.schema;
    expect(limit("/events/{eventId}/participants")?.description).toBe("Page size 1–500 (default 20)");
    expect(limit("/events")?.description).toBe("Page size 1–100 (default 20)");
  });
});

describe("the e2e response checker", () => {
  const check = createContractChecker(json);
  const checkIn = {
    id: crypto.randomUUID(),
    participationId: crypto.randomUUID(),
    checkedInAt: "2026-01-01T00:00:00.000000Z",
    checkedInBy: null,
  };
  const path = `/events/${crypto.randomUUID()}/check-ins`;
  const problem = (status: number, code: string) =>
    JSON.stringify({ type: `https://evently.dev/problems/${code}`, title: "t", status, detail: "d", code });

  it("accepts documented answers", () => {
    expect(check("POST", path, 201, "application/json", JSON.stringify(checkIn))).toBeUndefined();
    expect(check("POST", path, 200, "application/json", JSON.stringify(checkIn))).toBeUndefined();
    expect(check("POST", path, 409, "application/problem+json", problem(409, "not_active"))).toBeUndefined();
    expect(check("POST", path, 401, "application/json", JSON.stringify({ message: "Unauthorized" }))).toBeUndefined();
  });

  it("rejects an undocumented status, code, content type or body", () => {
    expect(check("POST", path, 418, "application/json", "{}")).toMatch(/status not documented/);
    expect(check("POST", path, 409, "application/problem+json", problem(409, "sold_out"))).toMatch(/does not match/);
    expect(check("POST", path, 201, "text/plain", JSON.stringify(checkIn))).toMatch(/content type/);
    expect(check("POST", path, 201, "application/json", JSON.stringify({ ...checkIn, id: 7 }))).toMatch(/does not match/);
  });

  it("accepts a ticket's check-in by code, first and repeated", () => {
    const ticketCheckIn = {
      ticketId: crypto.randomUUID(),
      participationId: crypto.randomUUID(),
      eventId: crypto.randomUUID(),
      ticketTypeId: null,
      holderName: "Ada",
      holderEmail: "ada@example.test",
      checkedInAt: "2026-01-01T00:00:00.000000Z",
      checkedInBy: crypto.randomUUID(),
    };
    expect(check("POST", path, 201, "application/json", JSON.stringify(ticketCheckIn))).toBeUndefined();
    expect(check("POST", path, 200, "application/json", JSON.stringify(ticketCheckIn))).toBeUndefined();
    expect(check("POST", path, 422, "application/problem+json", problem(422, "invalid_ticket_code"))).toBeUndefined();
    expect(check("POST", path, 409, "application/problem+json", problem(409, "ticket_void"))).toBeUndefined();
  });

  it("checks non-JSON answers (SVG, CSV) by their media type, as text", () => {
    const qr = `/tickets/${crypto.randomUUID()}/qr.svg`;
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"/>';
    expect(check("GET", qr, 200, "image/svg+xml", svg)).toBeUndefined();
    expect(check("GET", qr, 200, "application/json", svg)).toMatch(/content type/);
    const csv = `/events/${crypto.randomUUID()}/participants.csv`;
    expect(check("GET", csv, 200, "text/csv; charset=utf-8", "name,email\r\n")).toBeUndefined();
    expect(check("GET", csv, 403, "application/problem+json", problem(403, "forbidden"))).toBeUndefined();
  });

  it("leaves the gateway's answers to unknown paths alone", () => {
    expect(check("GET", "/nope", 404, "application/problem+json", problem(404, "not_found"))).toBeUndefined();
  });
});
