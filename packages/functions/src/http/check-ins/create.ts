// POST /events/{eventId}/check-ins: check in an active participation (201), or return the first check-in (200).
import { checkIn } from "@evently/core/ticketing";
import { createCheckIn } from "../../api/participations";
import { getDb } from "../../lib/db";
import { http, reply, requireActor } from "../../lib/http";

export const handler = http(createCheckIn, async ({ params, body, actor }) => {
  const result = await checkIn(await getDb(), requireActor(actor), { eventId: params.eventId, participationId: body.participationId });
  return reply(result.created ? 201 : 200, result.checkIn);
});
