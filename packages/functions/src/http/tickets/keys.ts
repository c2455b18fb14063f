// GET /.well-known/ticket-keys: the public JWKS that verifies ticket codes (current and previous key).
import { loadTicketKeys, publicJwks } from "@evently/core/tickets";
import { ticketKeys as schema } from "../../api/tickets";
import { http } from "../../lib/http";

export const handler = http(schema, async () => publicJwks(await loadTicketKeys()));
