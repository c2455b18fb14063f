// GET /events/{eventId}/availability: seats and ticket types left, on sale now, at today's price.
import { getAvailability } from "@evently/core/events";
import { eventAvailability as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http } from "../../lib/http";

export const handler = http(route, async ({ params }) => getAvailability(await getDb(), params.eventId));
