// POST /payments/{paymentId}/refunds: reserve a refund (sent to Stripe as a provider task), idempotent per key.
import { requestRefund } from "@evently/core/payments";
import { refundPayment } from "../../api/payments";
import { paymentsDeps } from "../../lib/deps";
import { http, requireActor } from "../../lib/http";

export const handler = http(refundPayment, async (req) => {
  const meta = { ip: req.sourceIp, userAgent: req.userAgent };
  return requestRefund(await paymentsDeps(), requireActor(req.actor), req.params.paymentId, req.body, meta, req.idempotency);
});
