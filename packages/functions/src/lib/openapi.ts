// Builds the OpenAPI 3.1 document from the route manifest and each route's zod schemas.
import * as z from "zod";
import type { RouteDef } from "../manifest";
import { needsAuthorizer } from "../manifest";
import { Problem, type RouteSchema } from "../api/route-schema";

type JsonSchema = Record<string, unknown>;
const toSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  return rest;
};

function parameters(schema: z.ZodObject | undefined, location: "path" | "query") {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: location,
    required: location === "path" || !(field as z.ZodType).safeParse(undefined).success,
    schema: toSchema(field as z.ZodType, "input"),
  }));
}

const problemContent = { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };

export function buildOpenApi(routes: readonly RouteDef[], schemas: readonly RouteSchema[]) {
  const byRoute = new Map(schemas.map((s) => [s.route, s]));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const s = byRoute.get(`${route.method} ${route.path}`);
    if (!s) throw new Error(`No schema for ${route.method} ${route.path}`);
    const headers = s.idempotencyKey
      ? [{ name: "Idempotency-Key", in: "header", required: true, schema: { type: "string", minLength: 1, maxLength: 255 } }]
      : [];
    const success = String(s.successStatus ?? 200);
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, "").replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: s.summary,
      tags: s.tags,
      ...(needsAuthorizer(route) ? { security: [{ bearer: [] }] } : route.access === "optional" ? { security: [{}, { bearer: [] }] } : {}),
      parameters: [...parameters(s.params, "path"), ...parameters(s.query, "query"), ...headers],
      ...(s.body ? { requestBody: { required: !s.bodyOptional, content: { "application/json": { schema: toSchema(s.body, "input") } } } } : {}),
      responses: {
        [success]: { description: "Success", ...(s.response ? { content: { [s.contentType ?? "application/json"]: { schema: toSchema(s.response, "output") } } } : {}) },
        "4XX": { description: "Problem", content: problemContent },
        "5XX": { description: "Problem (request id only)", content: problemContent },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Evently API", version: "1.0.0", description: "Event RSVPs, ticket sales and payments." },
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { Problem: toSchema(Problem, "output") },
    },
  };
}
