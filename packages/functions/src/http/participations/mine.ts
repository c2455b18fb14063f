// GET /me/participations: the caller's upcoming events with status, payment and cancellation deadline.
import { myParticipations } from "@evently/core/ticketing";
import { myParticipations as schema } from "../../api/participations";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ query, actor }) => myParticipations(await getDb(), requireActor(actor), query));
