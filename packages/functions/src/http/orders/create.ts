// POST /events/{eventId}/orders: hold seats and start the payment, idempotently per key.
import { placeOrder } from "@evently/core/payments/orders";
import { createOrder } from "../../api/orders";
import { paymentsDeps } from "../../lib/deps";
import { http, reply, requireActor } from "../../lib/http";
import { idempotent, replayedHeaders } from "../../lib/idempotency";

export const handler = http(createOrder, (req) =>
  idempotent(req, "orders:create", async (key) => {
    const meta = { ip: req.sourceIp, userAgent: req.userAgent };
    const answer = await placeOrder(await paymentsDeps(), requireActor(req.actor), req.params.eventId, req.body, meta, key);
    return reply(answer.status, answer.result, replayedHeaders(answer.replayed));
  }),
);
