// PATCH /ticket-types/{ticketTypeId}: the organizer (or an admin) edits a ticket type.
import { updateTicketType } from "@evently/core/ticketing/ticket-types";
import { updateTicketType as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params, body }) => updateTicketType(await getDb(), requireActor(actor), params.ticketTypeId, body));
