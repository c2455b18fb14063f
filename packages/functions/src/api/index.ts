// Every route's contract, for the OpenAPI document and the manifest consistency test.
import type { RouteSchema } from "./route-schema";
import * as system from "./system";

export const apiSchemas: readonly RouteSchema[] = [...Object.values(system)];
