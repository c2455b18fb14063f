// DELETE /events/{eventId}/staff/{userId}: remove a checker from this event.
import { removeChecker } from "@evently/core/staff";
import { removeStaff as schema } from "../../api/attendees";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ params, actor }) =>
  removeChecker(await getDb(), requireActor(actor), params.eventId, params.userId),
);
