// POST /events/{eventId}/rsvp: RSVP the caller to a published rsvp event, or queue them when full.
import { registerRsvp } from "@evently/core/ticketing";
import { registerRsvp as schema } from "../../api/participations";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ params, actor, sourceIp, userAgent }) =>
  registerRsvp(await getDb(), requireActor(actor), { eventId: params.eventId, ip: sourceIp, userAgent }),
);
