// POST /events/{eventId}/cancel: cancels the event and every live participation in one transaction;
// captured payments are refunded in full and in-flight intents cancelled by provider tasks.
import { cancelEvent } from "@evently/core/events";
import { eventCancellationHooks } from "@evently/core/payments";
import { cancelEvent as route } from "../../api/events";
import { paymentsDeps } from "../../lib/deps";
import { http, requireActor } from "../../lib/http";

export const handler = http(route, async ({ actor, params, body }) => {
  const deps = await paymentsDeps();
  const caller = requireActor(actor);
  return cancelEvent(deps.db, caller, params.eventId, body, eventCancellationHooks(deps, caller));
});
