// POST /events/{eventId}/orders: hold seats and start the payment, idempotently per key.
import { createOrder as place } from "@evently/core/payments/orders";
import { createOrder } from "../../api/orders";
import { paymentsDeps } from "../../lib/deps";
import { http, reply, requireActor } from "../../lib/http";
import { idempotent } from "../../lib/idempotency";

export const handler = http(createOrder, (req) =>
  idempotent(req, "orders:create", async () => {
    const result = await place(await paymentsDeps(), requireActor(req.actor), req.params.eventId, req.body, { ip: req.sourceIp, userAgent: req.userAgent });
    return reply(201, result);
  }),
);
