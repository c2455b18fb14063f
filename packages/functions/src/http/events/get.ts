// GET /events/{eventId}: an event with ticket types and availability; drafts only for their managers.
import { getEvent } from "@evently/core/events";
import { getEvent as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http } from "../../lib/http";

export const handler = http(route, async ({ actor, params }) => getEvent(await getDb(), actor, params.eventId));
