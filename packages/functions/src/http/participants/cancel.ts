// POST /events/{eventId}/participants/{participationId}/cancel: the organizer cancels one attendee,
// refunding a completed payment in full unless asked not to (the one settlement path).
import { cancelParticipant as cancel } from "@evently/core/payments";
import { cancelParticipant } from "../../api/orders";
import { paymentsDeps } from "../../lib/deps";
import { http, requireActor } from "../../lib/http";

export const handler = http(cancelParticipant, async (req) =>
  cancel(await paymentsDeps(), requireActor(req.actor), req.params.eventId, req.params.participationId, req.body, {
    ip: req.sourceIp,
    userAgent: req.userAgent,
  }),
);
