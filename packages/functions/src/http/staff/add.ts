// POST /events/{eventId}/staff: make a registered user a checker of this event (201, or 200 if already one).
import { addChecker } from "@evently/core/staff";
import { addStaff as schema } from "../../api/attendees";
import { getDb } from "../../lib/db";
import { http, reply, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ params, body, actor }) => {
  const result = await addChecker(await getDb(), requireActor(actor), params.eventId, body);
  return reply(result.created ? 201 : 200, result.staff);
});
