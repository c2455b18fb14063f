// Contracts of the system routes: health, the OpenAPI document and the caller.
import * as z from "zod";
import * as Users from "@evently/core/users";
import { defineRoute } from "./route-schema";
import { ROUTE_LIMITS } from "../manifest";

/** The caller as GET and PATCH /me answer it. */
const Me = z.object({ id: z.uuid(), email: z.string().nullable(), roles: z.array(z.string()), name: z.string().nullable() });

export const health = defineRoute({
  method: "GET",
  path: "/health",
  access: "public",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Liveness and database reachability",
  tags: ["system"],
  response: z.object({ status: z.literal("ok"), db: z.literal("ok") }),
  responses: { 503: z.object({ status: z.literal("error"), db: z.literal("unreachable") }) },
});

export const openapi = defineRoute({
  method: "GET",
  path: "/openapi.json",
  access: "public",
  resources: [],
  timeoutSeconds: ROUTE_LIMITS.standard,
  // Changes only with a deploy.
  cacheSeconds: 300,
  summary: "This OpenAPI 3.1 document",
  tags: ["system"],
  response: z.record(z.string(), z.unknown()),
});

export const me = defineRoute({
  method: "GET",
  path: "/me",
  access: "member",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "The caller, created from the token's claims on first call, with the name set by PATCH /me",
  tags: ["users"],
  response: Me,
});

export const updateMe = defineRoute({
  method: "PATCH",
  path: "/me",
  access: "member",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Set the caller's name, shown on their tickets, in participant lists and exports",
  tags: ["users"],
  body: Users.updateMe.schema,
  response: Me,
});
