// POST /events: an organizer creates a draft event.
import { createEvent } from "@evently/core/events";
import { createEvent as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, body }) => createEvent(await getDb(), requireActor(actor), body));
