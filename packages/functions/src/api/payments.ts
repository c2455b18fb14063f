// Contracts of the payment routes: read a payment, refund it (Idempotency-Key), the buyer's history.
import * as z from "zod";
import * as Payments from "@evently/core/payments";
import { defineRoute, idParams, pageLimit } from "./route-schema";
import { ROUTE_LIMITS } from "../manifest";

const Refund = z
  .object({
    id: z.uuid(),
    paymentId: z.uuid(),
    amountMinor: z.number().int(),
    currency: z.string(),
    reason: z.string(),
    status: z.enum(["processing", "completed", "failed"]),
    createdAt: z.string(),
    processedAt: z.string().nullable(),
    failureReason: z.string().nullable(),
  })
  .meta({ id: "Refund" });

const Payment = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    eventId: z.uuid(),
    status: z.enum(["pending", "completed", "failed", "cancelled", "refunded", "partially_refunded"]),
    amountMinor: z.number().int(),
    currency: z.string(),
    refundedMinor: z.number().int(),
    processedAt: z.string().nullable(),
    createdAt: z.string(),
    transactions: z.array(
      z.object({
        id: z.uuid(),
        type: z.enum(["payment", "refund", "chargeback"]),
        amountMinor: z.number().int(),
        currency: z.string(),
        status: z.enum(["pending", "completed", "failed", "cancelled"]),
        processedAt: z.string().nullable(),
      }),
    ),
    refunds: z.array(Refund),
    audit: z.array(
      z.object({
        actionType: z.string(),
        description: z.string(),
        createdAt: z.string(),
        ipAddress: z.string().nullable().optional().meta({ description: "Admins only" }),
        userAgent: z.string().nullable().optional().meta({ description: "Admins only" }),
      }),
    ),
  })
  .meta({ id: "Payment" });

export const getPayment = defineRoute({
  method: "GET",
  path: "/payments/{paymentId}",
  access: "member",
  resources: ["db", "data-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "A payment with its transactions, refunds and audit entries (buyer, the event's organizer or an admin)",
  tags: ["payments"],
  params: idParams("paymentId"),
  response: Payment,
});

export const refundPayment = defineRoute({
  method: "POST",
  path: "/payments/{paymentId}/refunds",
  access: "organizer",
  resources: ["db", "stripe-key", "data-key", "task-queue"],
  timeoutSeconds: ROUTE_LIMITS.provider,
  summary:
    "Refund part or all of a completed payment: 202 processing; 409 refund_exceeds_payment above the refundable rest (Idempotency-Key required)",
  tags: ["payments"],
  params: idParams("paymentId"),
  body: Payments.requestRefund.schema,
  response: Refund,
  successStatus: 202,
  idempotency: "payments:refund",
  problems: ["invalid_state", "refund_exceeds_payment"],
});

export const myPayments = defineRoute({
  method: "GET",
  path: "/me/payments",
  access: "member",
  resources: ["db", "data-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "The caller's payments, newest first",
  tags: ["payments"],
  query: Payments.myPayments.schema.extend({ limit: pageLimit() }),
  response: z.object({ items: z.array(Payment), nextCursor: z.string().nullable() }),
});
