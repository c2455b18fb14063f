// POST /events/{eventId}/check-ins: check in a scanned ticket code or a whole participation
// (201 the first time, 200 with the first check-in after that).
import { checkInByCode } from "@evently/core/tickets";
import { checkIn } from "@evently/core/ticketing";
import { createCheckIn } from "../../api/participations";
import { getDb } from "../../lib/db";
import { http, reply, requireActor } from "../../lib/http";

export const handler = http(createCheckIn, async ({ params, body, actor }) => {
  const db = await getDb();
  const caller = requireActor(actor);
  const result =
    "code" in body
      ? await checkInByCode(db, caller, { eventId: params.eventId, code: body.code })
      : await checkIn(db, caller, { eventId: params.eventId, participationId: body.participationId });
  return reply(result.created ? 201 : 200, result.checkIn);
});
