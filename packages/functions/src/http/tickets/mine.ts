// GET /me/tickets: the caller's valid tickets, soonest event first.
import { myTickets } from "@evently/core/tickets";
import { myTickets as schema } from "../../api/tickets";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ query, actor }) => myTickets(await getDb(), requireActor(actor), query));
