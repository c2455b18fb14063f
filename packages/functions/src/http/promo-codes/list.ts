// GET /events/{eventId}/promo-codes: the organizer (or an admin) lists the event's codes with uses.
import { listPromoCodes } from "@evently/core/ticketing";
import { listPromoCodes as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params }) => listPromoCodes(await getDb(), requireActor(actor), params.eventId));
