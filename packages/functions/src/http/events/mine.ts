// GET /me/events: the events the caller organizes, any status, newest first.
import { listMyEvents } from "@evently/core/events";
import { myEvents as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, query }) => listMyEvents(await getDb(), requireActor(actor), query));
