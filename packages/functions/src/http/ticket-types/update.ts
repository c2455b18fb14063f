// PATCH /ticket-types/{ticketTypeId}: the organizer (or an admin) edits a ticket type; added
// quantity goes to the waitlist at once, in the same transaction (DESIGN invariant 5).
import { promotionOptions } from "@evently/core/payments";
import { updateTicketType } from "@evently/core/ticketing";
import { promoteWaitlist } from "@evently/core/ticketing";
import { updateTicketType as route } from "../../api/events";
import { paymentsDeps } from "../../lib/deps";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params, body }) => {
  const deps = await paymentsDeps();
  return updateTicketType(deps.db, requireActor(actor), params.ticketTypeId, body, {
    onMoreForSale: async (trx, eventId) => void (await promoteWaitlist(trx, eventId, promotionOptions(deps))),
  });
});
