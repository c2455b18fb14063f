// POST /venues: an organizer (or an admin) adds a venue.
import { createVenue } from "@evently/core/events";
import { createVenue as route } from "../../api/places";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, body }) => createVenue(await getDb(), requireActor(actor), body));
