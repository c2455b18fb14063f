// Builds the OpenAPI 3.1 document from the route manifest: each route's declaration and zod schemas.
import * as z from "zod";
import { needsAuthorizer } from "../manifest";
import { Problem, type RouteSchema } from "../api/route-schema";
import { GATEWAY_MESSAGE, operationResponses } from "./openapi-responses";

type JsonSchema = Record<string, unknown>;

const LOCAL_DEFS = "#/$defs/";
const COMPONENTS = "#/components/schemas/";

/** Points zod's local `#/$defs/X` references at the document's `components/schemas/X`. */
function retarget(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(retarget);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === "$ref" && typeof v === "string" && v.startsWith(LOCAL_DEFS) ? COMPONENTS + v.slice(LOCAL_DEFS.length) : retarget(v),
    ]),
  );
}

/**
 * Converts zod schemas to JSON Schema, moving every schema with a `.meta({ id })` into one shared
 * set of components, so each `$ref` resolves against the whole document.
 */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  toSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
    const generated = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
    const { $schema: _drop, $defs, ...root } = generated;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) this.add(id, retarget(def) as JsonSchema);
    return retarget(root) as JsonSchema;
  }

  add(id: string, schema: JsonSchema): void {
    const existing = this.schemas[id];
    if (existing && JSON.stringify(existing) !== JSON.stringify(schema))
      throw new Error(`Two different schemas share the OpenAPI component id "${id}"`);
    this.schemas[id] = schema;
  }
}

function parameters(components: Components, schema: z.ZodObject | undefined, location: "path" | "query") {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: location,
    required: location === "path" || !(field as z.ZodType).safeParse(undefined).success,
    schema: components.toSchema(field as z.ZodType, "input"),
  }));
}

const operationId = (route: RouteSchema) =>
  `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, "").replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`;

const security = (route: RouteSchema) =>
  needsAuthorizer(route) ? { security: [{ bearer: [] }] } : route.access === "optional" ? { security: [{}, { bearer: [] }] } : {};

export function buildOpenApi(routes: readonly RouteSchema[]) {
  const components = new Components();
  components.add("GatewayMessage", GATEWAY_MESSAGE);
  const problem = components.toSchema(Problem, "output");
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const headers = route.idempotency
      ? [{ name: "Idempotency-Key", in: "header", required: true, schema: { type: "string", minLength: 1, maxLength: 255 } }]
      : [];
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: operationId(route),
      summary: route.summary,
      tags: route.tags,
      ...security(route),
      parameters: [...parameters(components, route.params, "path"), ...parameters(components, route.query, "query"), ...headers],
      ...(route.body
        ? {
            requestBody: {
              required: !route.bodyOptional,
              content: { "application/json": { schema: components.toSchema(route.body, "input") } },
            },
          }
        : {}),
      responses: operationResponses(route, (schema) => components.toSchema(schema, "output")),
    };
  }
  if (problem.$ref !== `${COMPONENTS}Problem`) throw new Error("The Problem schema must carry .meta({ id: 'Problem' })");
  return {
    openapi: "3.1.0",
    info: { title: "Evently API", version: "1.0.0", description: "Event RSVPs, ticket sales and payments." },
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: components.schemas,
    },
  };
}
