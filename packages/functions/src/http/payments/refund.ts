// POST /payments/{paymentId}/refunds: reserve a refund (sent to Stripe as a provider task), idempotently per key.
import { requestRefund } from "@evently/core/payments/refunds";
import { refundPayment } from "../../api/payments";
import { paymentsDeps } from "../../lib/deps";
import { http, reply, requireActor } from "../../lib/http";
import { idempotent } from "../../lib/idempotency";

export const handler = http(refundPayment, (req) =>
  idempotent(req, "payments:refund", async (key) => {
    const meta = { ip: req.sourceIp, userAgent: req.userAgent };
    return reply(202, await requestRefund(await paymentsDeps(), requireActor(req.actor), req.params.paymentId, req.body, meta, key));
  }),
);
