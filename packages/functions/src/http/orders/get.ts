// GET /orders/{orderId}: the buyer, the event's organizer or an admin.
import { getOrder as read } from "@evently/core/payments";
import { getOrder } from "../../api/orders";
import { paymentsDeps } from "../../lib/deps";
import { http, requireActor } from "../../lib/http";

export const handler = http(getOrder, async (req) => read(await paymentsDeps(), requireActor(req.actor), req.params.orderId));
