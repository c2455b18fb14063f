// GET /openapi.json: the OpenAPI 3.1 document generated from the route manifest.
import { openapi } from "../api/system";
import { http } from "../lib/http";
import { buildOpenApi } from "../lib/openapi";
import { routes } from "../routes";

let document: unknown;

export const handler = http(openapi, async () => (document ??= buildOpenApi(routes)));
