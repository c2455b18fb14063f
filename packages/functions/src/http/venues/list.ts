// GET /venues: every venue by name, paginated.
import { listVenues } from "@evently/core/events";
import { listVenues as route } from "../../api/places";
import { getDb } from "../../lib/db";
import { http } from "../../lib/http";

export const handler = http(route, async ({ query }) => listVenues(await getDb(), query));
