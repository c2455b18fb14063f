// PATCH /events/{eventId}: the organizer (or an admin) edits an event; added capacity goes to the
// waitlist at once, in the same transaction (docs/ARCHITECTURE.md, invariant 5).
import { updateEvent } from "@evently/core/events";
import { promotionOptions } from "@evently/core/payments";
import { promoteWaitlist } from "@evently/core/ticketing";
import { updateEvent as route } from "../../api/events";
import { paymentsDeps } from "../../lib/deps";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params, body }) => {
  const deps = await paymentsDeps();
  return updateEvent(deps.db, requireActor(actor), params.eventId, body, {
    onCapacityIncreased: async (trx, event) => void (await promoteWaitlist(trx, event.id, promotionOptions(deps))),
  });
});
