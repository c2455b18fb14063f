// POST /events/{eventId}/check-ins: check in a scanned ticket code or a whole participation
// (201 the first time, 200 with the first check-in after that).
import { checkIn } from "@evently/core/ticketing";
import { createCheckIn } from "../../api/participations";
import { getDb } from "../../lib/db";
import { http, reply, requireActor } from "../../lib/http";

export const handler = http(createCheckIn, async ({ params, body, actor }) => {
  const result = await checkIn(await getDb(), requireActor(actor), params.eventId, body);
  return reply(result.created ? 201 : 200, result.checkIn);
});
