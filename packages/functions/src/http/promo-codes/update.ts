// PATCH /promo-codes/{promoCodeId}: the organizer (or an admin) edits a code.
import { updatePromoCode } from "@evently/core/ticketing";
import { updatePromoCode as route } from "../../api/events";
import { getDb } from "../../lib/db";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params, body }) =>
  updatePromoCode(await getDb(), requireActor(actor), params.promoCodeId, body),
);
