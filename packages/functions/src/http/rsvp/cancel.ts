// DELETE /events/{eventId}/rsvp: cancel the caller's RSVP; the freed seat goes to the waitlist.
import { cancelRsvp } from "@evently/core/ticketing";
import { cancelRsvp as schema } from "../../api/participations";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ params, body, actor, sourceIp, userAgent }) =>
  cancelRsvp(await getDb(), requireActor(actor), {
    eventId: params.eventId,
    reason: body?.reason,
    ip: sourceIp,
    userAgent,
  }),
);
