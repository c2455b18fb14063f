// GET /ops/payment-health (admin): the newest snapshot stored by the payment-health job.
import { notFound } from "@evently/core/errors";
import { latestPaymentHealth } from "@evently/core/health";
import { paymentHealth } from "../../api/ops";
import { getDb } from "../../lib/db";
import { http } from "../../lib/http";

export const handler = http(paymentHealth, async () => {
  const snapshot = await latestPaymentHealth(await getDb());
  if (!snapshot) throw notFound("Payment-health snapshot");
  return snapshot;
});
