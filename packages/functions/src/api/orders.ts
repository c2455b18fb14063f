// Contracts of the order routes: place, read and cancel an order for tickets.
import * as z from "zod";
import * as Payments from "@evently/core/payments";
import { defineRoute, idParams, uuid } from "./route-schema";
import { TicketSchema } from "./tickets.shapes";
import { ROUTE_LIMITS } from "../manifest";

const Participation = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  userId: z.uuid(),
  kind: z.enum(["rsvp", "ticket"]),
  status: z.enum(["pending", "active", "waitlisted", "cancelled", "refunded"]),
  quantity: z.number().int(),
  waitlistPosition: z.number().int().nullable(),
  holdExpiresAt: z.string().nullable(),
  createdAt: z.string(),
  cancelledAt: z.string().nullable(),
  checkedInAt: z.string().nullable(),
});

const OrderResult = z.object({
  order: z
    .object({
      id: z.uuid(),
      participationId: z.uuid(),
      ticketTypeId: z.uuid(),
      quantity: z.number().int(),
      unitPriceMinor: z.number().int(),
      amountMinor: z.number().int(),
      currency: z.string(),
      slidingScalePercent: z.number(),
      promoCode: z.string().nullable(),
      holdExpiresAt: z.string().nullable(),
      createdAt: z.string(),
    })
    .nullable(),
  participation: Participation,
  payment: z
    .object({
      id: z.uuid(),
      status: z.string(),
      amountMinor: z.number().int(),
      currency: z.string(),
      provider: z.string(),
      providerPaymentId: z.string().nullable(),
      clientSecret: z.string().nullable().optional(),
    })
    .nullable(),
  tickets: z.array(TicketSchema),
});

export const createOrder = defineRoute({
  method: "POST",
  path: "/events/{eventId}/orders",
  access: "member",
  resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.provider,
  summary: "Order tickets: holds seats and creates a PaymentIntent (Idempotency-Key required)",
  tags: ["orders"],
  params: idParams("eventId"),
  body: Payments.placeOrder.schema,
  response: OrderResult,
  successStatus: 201,
  // The buyer already holds seats for this event: that order, with a working PaymentIntent.
  responses: { 200: OrderResult },
  idempotency: "orders:create",
  problems: [
    "already_registered",
    "amount_not_chargeable",
    "invalid_promo_code",
    "invalid_quantity",
    "invalid_state",
    "not_on_sale",
    "sold_out",
    "unknown_ticket_type",
  ],
});

export const getOrder = defineRoute({
  method: "GET",
  path: "/orders/{orderId}",
  access: "member",
  resources: ["db", "stripe-key", "data-key", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.provider,
  summary: "An order with its participation and payment status",
  tags: ["orders"],
  params: idParams("orderId"),
  response: OrderResult,
});

export const cancelOrder = defineRoute({
  method: "POST",
  path: "/orders/{orderId}/cancel",
  access: "member",
  resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.provider,
  summary: "Cancel an order; a completed payment is refunded in full",
  tags: ["orders"],
  params: idParams("orderId"),
  body: Payments.cancelOrder.schema,
  bodyOptional: true,
  response: OrderResult,
  problems: ["cancellation_closed", "invalid_state"],
});

export const cancelParticipant = defineRoute({
  method: "POST",
  path: "/events/{eventId}/participants/{participationId}/cancel",
  access: "organizer",
  resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue"],
  timeoutSeconds: ROUTE_LIMITS.provider,
  summary: "Cancel one participant (organizer/admin); a completed payment is refunded in full unless refund is false",
  tags: ["participants"],
  params: z.object({ eventId: uuid(), participationId: uuid() }),
  body: Payments.cancelParticipant.schema,
  response: Participation,
  problems: ["invalid_state"],
});
