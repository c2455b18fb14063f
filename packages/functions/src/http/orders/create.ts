// POST /events/{eventId}/orders: hold seats and start the payment (idempotent per key: the stack supplies it).
import { placeOrder } from "@evently/core/payments";
import { createOrder } from "../../api/orders";
import { paymentsDeps } from "../../lib/deps";
import { http, reply, requireActor } from "../../lib/http";
import { replayedHeaders } from "../../lib/idempotency";

export const handler = http(createOrder, async (req) => {
  const meta = { ip: req.sourceIp, userAgent: req.userAgent };
  const answer = await placeOrder(await paymentsDeps(), requireActor(req.actor), req.params.eventId, req.body, meta, req.idempotency);
  return reply(answer.status, answer.result, replayedHeaders(answer.replayed));
});
