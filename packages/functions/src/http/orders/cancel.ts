// POST /orders/{orderId}/cancel: buyer before the cutoff, organizer or admin any time.
import { cancelOrder as cancel } from "@evently/core/payments";
import { cancelOrder } from "../../api/orders";
import { paymentsDeps } from "../../lib/deps";
import { http, requireActor } from "../../lib/http";

export const handler = http(cancelOrder, async (req) =>
  cancel(await paymentsDeps(), requireActor(req.actor), req.params.orderId, req.body, {
    ip: req.sourceIp,
    userAgent: req.userAgent,
  }),
);
