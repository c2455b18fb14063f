// The API as it grows: 150 generated routes across handler folders still synthesize, each stack well under CloudFormation's limit.
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { RouteDef } from "@evently/functions/manifest";
import { groupRoutes, MAX_ROUTES_PER_STACK, routeGroup } from "../../infra/api-routes";
import { resourcesOf } from "./cfn";
import { synthesize, type Synthesized } from "./synth";

/** 150 routes in 6 folders of 25, every access kind and resource mix the real manifest uses. */
const generated = vi.hoisted(() => {
  const access = ["public", "member", "organizer", "admin", "optional"] as const;
  return Array.from({ length: 150 }, (_, i) => ({
    method: (["GET", "POST", "PATCH", "DELETE"] as const)[i % 4],
    path: `/things${Math.floor(i / 25)}/{id}/action${i}`,
    handler: `http/area${Math.floor(i / 25)}/action${i}`,
    access: access[i % access.length]!,
    resources: i % 3 === 0 ? ["db", "stripe-key", "data-key"] : i % 3 === 1 ? ["db"] : ["metrics"],
    timeoutSeconds: 5 + (i % 20),
  }));
});
vi.mock("@evently/functions/routes", () => ({
  routes: [
    ...generated,
    {
      method: "POST",
      path: "/webhooks/stripe",
      handler: "http/webhooks/stripe",
      access: "stripe",
      resources: ["webhook-secret", "webhook-queue"],
    },
  ],
}));

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
}, 240_000);

describe("150 routes", () => {
  it("all become routes of the one HTTP API, spread over one stack per handler folder", () => {
    const keys = resourcesOf<{ RouteKey: string }>(synth, "AWS::ApiGatewayV2::Route").map((r) => r.props.RouteKey);
    expect(keys).toHaveLength(151);
    expect(resourcesOf(synth, "AWS::ApiGatewayV2::Api")).toHaveLength(1);
    const routeStacks = Object.keys(synth.templates).filter((s) => s.startsWith("ApiRoutes-"));
    expect(routeStacks.sort()).toEqual([
      "ApiRoutes-area0",
      "ApiRoutes-area1",
      "ApiRoutes-area2",
      "ApiRoutes-area3",
      "ApiRoutes-area4",
      "ApiRoutes-area5",
      "ApiRoutes-webhooks",
    ]);
  });

  it("every stack stays under 400 resources", () => {
    for (const [stack, t] of Object.entries(synth.templates)) {
      expect(Object.keys((t.toJSON() as { Resources: object }).Resources).length, stack).toBeLessThan(400);
    }
  });
});

describe("route groups", () => {
  const route = (handler: string, path = `/${handler}`): RouteDef => ({
    method: "GET",
    path,
    handler,
    access: "public",
    resources: [],
    timeoutSeconds: 6,
  });

  it("are the handler's folder below http/, the root for handlers directly in it", () => {
    expect(routeGroup(route("http/events/get"))).toBe("events");
    expect(routeGroup(route("http/events/admin/export"))).toBe("events-admin");
    expect(routeGroup(route("http/health"))).toBe("root");
  });

  it("refuse a folder with more routes than a stack holds, and a route listed twice", () => {
    const crowded = Array.from({ length: MAX_ROUTES_PER_STACK + 1 }, (_, i) => route(`http/big/r${i}`));
    expect(() => groupRoutes(crowded)).toThrow(/ApiRoutes-big would hold 31 routes .*sub-folder/);
    expect(() => groupRoutes([route("http/a", "/x"), route("http/b", "/x")])).toThrow("routes.ts lists GET /x twice");
  });
});
