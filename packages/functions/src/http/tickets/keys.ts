// GET /.well-known/ticket-keys: the public JWKS that verifies ticket codes (current and previous key).
import { loadTicketKeys, publicJwks } from "@evently/core/tickets/keys";
import { ticketKeys as schema } from "../../api/tickets";
import { http, reply } from "../../lib/http";

// Door apps cache it; five minutes matches how long functions cache the secret after a rotation.
export const handler = http(schema, async () => reply(200, publicJwks(await loadTicketKeys()), { "cache-control": "public, max-age=300" }));
