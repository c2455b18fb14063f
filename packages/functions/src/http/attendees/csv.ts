// GET /events/{eventId}/participants.csv: every participant as CSV for the event's managers.
import { participantsCsv } from "@evently/core/attendees";
import { participantsCsv as schema } from "../../api/attendees";
import { getDb } from "../../lib/db";
import { http, rawReply, requireActor } from "../../lib/http";
import { collectBody } from "../../lib/stream-body";

export const handler = http(schema, async ({ params, query, actor, headers }) => {
  const chunks = await participantsCsv(await getDb(), requireActor(actor), { eventId: params.eventId, ...query });
  const body = await collectBody(chunks, headers["accept-encoding"]);
  return rawReply(
    200,
    body.body,
    {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="participants-${params.eventId}.csv"`,
      "cache-control": "private, no-store",
      ...(body.encoding ? { "content-encoding": body.encoding, vary: "accept-encoding" } : {}),
    },
    body.isBase64Encoded,
  );
});
