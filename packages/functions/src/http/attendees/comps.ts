// POST /events/{eventId}/comps: free seats for a registered user, with tickets and no payment.
import { createComp } from "@evently/core/attendees";
import { createComp as schema } from "../../api/attendees";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ params, body, actor, sourceIp, userAgent }) =>
  createComp(await getDb(), requireActor(actor), params.eventId, body, { ip: sourceIp, userAgent }),
);
