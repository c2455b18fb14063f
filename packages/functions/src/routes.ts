// The route manifest: infra/api.ts builds API Gateway from it and the local server dispatches from it.
import type { RouteDef } from "./manifest";

export const routes: readonly RouteDef[] = [
  { method: "GET", path: "/health", handler: "http/health", access: "public", resources: ["db"] },
  { method: "GET", path: "/openapi.json", handler: "http/openapi", access: "public", resources: [] },
  { method: "GET", path: "/me", handler: "http/me", access: "member", resources: ["db"] },
];
