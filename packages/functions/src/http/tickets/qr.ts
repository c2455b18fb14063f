// GET /tickets/{ticketId}/qr.svg: the ticket's code as an SVG QR image.
import { ticketQr } from "@evently/core/tickets";
import { ticketQr as schema } from "../../api/tickets";
import { getDb } from "../../lib/db";
import { http, rawReply, requireActor } from "../../lib/http";

export const handler = http(schema, async ({ params, actor }) =>
  // private: the image is a ticket; no shared cache may keep it.
  rawReply(200, await ticketQr(await getDb(), requireActor(actor), params.ticketId), {
    "content-type": "image/svg+xml",
    "cache-control": "private, no-store",
  }),
);
