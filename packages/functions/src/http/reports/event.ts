// GET /reports/events/{eventId}: capacity use, counts and revenue of one event, for its managers.
import { eventReport } from "@evently/core/reports";
import { eventReport as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params }) => eventReport(await getDb(), requireActor(actor), params.eventId));
