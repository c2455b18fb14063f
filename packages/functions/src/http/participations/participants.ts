// GET /events/{eventId}/participants: the event's participants for its managers and checkers.
import { eventParticipants } from "@evently/core/attendees";
import { eventParticipants as schema } from "../../api/participations";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ params, query, actor }) =>
  eventParticipants(await getDb(), requireActor(actor), { eventId: params.eventId, ...query }),
);
