// PATCH /tickets/{ticketId}: the buyer gives one seat to a person (holder name and email).
import { updateTicketHolder } from "@evently/core/tickets";
import { updateTicket as schema } from "../../api/tickets";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ params, body, actor }) =>
  updateTicketHolder(await getDb(), requireActor(actor), params.ticketId, body),
);
