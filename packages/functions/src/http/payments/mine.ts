// GET /me/payments: the caller's own payment history, newest first, paginated.
import { myPayments as list } from "@evently/core/payments";
import { myPayments } from "../../api/payments";
import { paymentsDeps } from "../../lib/deps";
import { http, requireActor } from "../../lib/http";

export const handler = http(myPayments, async (req) => list(await paymentsDeps(), requireActor(req.actor), req.query));
