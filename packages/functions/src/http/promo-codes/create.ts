// POST /events/{eventId}/promo-codes: the organizer (or an admin) adds a promo code.
import { createPromoCode } from "@evently/core/ticketing";
import { createPromoCode as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params, body }) =>
  createPromoCode(await getDb(), requireActor(actor), params.eventId, body),
);
