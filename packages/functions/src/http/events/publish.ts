// POST /events/{eventId}/publish: draft → published.
import { publishEvent } from "@evently/core/events";
import { publishEvent as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params }) => publishEvent(await getDb(), requireActor(actor), params.eventId));
