// Contracts of the system routes: health, the OpenAPI document and the caller.
import * as z from "zod";
import { defineRoute } from "./route-schema";

export const health = defineRoute({
  route: "GET /health",
  summary: "Liveness and database reachability",
  tags: ["system"],
  response: z.object({ status: z.literal("ok"), db: z.literal("ok") }),
  responses: { 503: z.object({ status: z.literal("error"), db: z.literal("unreachable") }) },
});

export const openapi = defineRoute({
  route: "GET /openapi.json",
  summary: "This OpenAPI 3.1 document",
  tags: ["system"],
  response: z.record(z.string(), z.unknown()),
});

export const me = defineRoute({
  route: "GET /me",
  summary: "The caller, created from the token's claims on first call",
  tags: ["users"],
  response: z.object({ id: z.uuid(), email: z.string().nullable(), roles: z.array(z.string()) }),
});
