// DELETE /events/{eventId}/waitlist: the caller leaves the event's waitlist.
import { leaveWaitlist } from "@evently/core/ticketing";
import { leaveWaitlist as route } from "../../api/participations";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params }) => leaveWaitlist(await getDb(), requireActor(actor), params.eventId));
