// GET /payments/{paymentId}: the buyer, the event's organizer or an admin; anyone else 404.
import { getPayment as read } from "@evently/core/payments";
import { getPayment } from "../../api/payments";
import { paymentsDeps } from "../../lib/deps";
import { http, requireActor } from "../../lib/http";

export const handler = http(getPayment, async (req) => read(await paymentsDeps(), requireActor(req.actor), req.params.paymentId));
