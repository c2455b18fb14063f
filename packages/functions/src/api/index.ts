// Every route's contract, for the OpenAPI document and the manifest consistency test.
import type { RouteSchema } from "./route-schema";
import * as events from "./events";
import * as orders from "./orders";
import * as ops from "./ops";
import * as participations from "./participations";
import * as places from "./places";
import * as payments from "./payments";
import * as system from "./system";
import * as attendees from "./attendees";
import * as tickets from "./tickets";
import * as webhooks from "./webhooks";

export const apiSchemas: readonly RouteSchema[] = [
  ...Object.values(system),
  ...Object.values(events),
  ...Object.values(orders),
  ...Object.values(participations),
  ...Object.values(places),
  ...Object.values(payments),
  ...Object.values(webhooks),
  ...Object.values(ops),
  ...Object.values(tickets),
  ...Object.values(attendees),
];
