// POST /events/{eventId}/ticket-types: the organizer (or an admin) adds a ticket type.
import { createTicketType } from "@evently/core/ticketing";
import { createTicketType as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params, body }) =>
  createTicketType(await getDb(), requireActor(actor), params.eventId, body),
);
