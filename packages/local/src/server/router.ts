// Matches a request path against the manifest's API Gateway path templates.
import type { RouteDef } from "@evently/functions/manifest";

export interface Match {
  route: RouteDef;
  pathParameters: Record<string, string>;
}

interface Compiled {
  route: RouteDef;
  pattern: RegExp;
  names: string[];
  literal: number;
}

export function createRouter(routes: readonly RouteDef[]) {
  const compiled: Compiled[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split("/")
      .map((segment) => {
        const param = /^\{(\w+)\+?\}$/.exec(segment);
        if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(param[1]);
        return "([^/]+)";
      })
      .join("/");
    return { route, pattern: new RegExp(`^${source}/?$`), names, literal: route.path.split("{")[0]!.length };
  });
  // Like API Gateway, the most specific (longest literal prefix) route wins.
  compiled.sort((a, b) => b.literal - a.literal);

  return {
    /** `undefined` = no such path; `null` = the path exists but not with this method. */
    match(method: string, path: string): Match | null | undefined {
      let pathExists = false;
      for (const c of compiled) {
        const m = c.pattern.exec(path);
        if (!m) continue;
        pathExists = true;
        if (c.route.method !== method) continue;
        const pathParameters: Record<string, string> = {};
        c.names.forEach((name, i) => (pathParameters[name] = decodeURIComponent(m[i + 1] ?? "")));
        return { route: c.route, pathParameters };
      }
      return pathExists ? null : undefined;
    },
  };
}
