// GET /events: published events, soonest first, filtered and paginated.
import { listEvents } from "@evently/core/events";
import { listEvents as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http } from "../../lib/http";

export const handler = http(route, async ({ query }) => listEvents(await getDb(), query));
