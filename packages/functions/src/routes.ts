// The route manifest: infra/api.ts builds API Gateway from it and the local server dispatches from it.
import { ROUTE_LIMITS, type RouteDef } from "./manifest";

const { standard, provider, bulk } = ROUTE_LIMITS;

export const routes: readonly RouteDef[] = [
  // system
  { method: "GET", path: "/health", handler: "http/health", access: "public", resources: ["db"], timeoutSeconds: standard },
  { method: "GET", path: "/openapi.json", handler: "http/openapi", access: "public", resources: [], timeoutSeconds: standard },
  { method: "GET", path: "/me", handler: "http/me", access: "member", resources: ["db"], timeoutSeconds: standard },
  // events, ticket types, promo codes
  { method: "GET", path: "/events", handler: "http/events/list", access: "public", resources: ["db"], timeoutSeconds: standard },
  { method: "POST", path: "/events", handler: "http/events/create", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "GET", path: "/events/{eventId}", handler: "http/events/get", access: "optional", resources: ["db"], timeoutSeconds: standard },
  { method: "PATCH", path: "/events/{eventId}", handler: "http/events/update", access: "organizer", resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue"], timeoutSeconds: provider },
  { method: "POST", path: "/events/{eventId}/publish", handler: "http/events/publish", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "POST", path: "/events/{eventId}/cancel", handler: "http/events/cancel", access: "organizer", resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue"], timeoutSeconds: bulk },
  { method: "GET", path: "/events/{eventId}/availability", handler: "http/events/availability", access: "public", resources: ["db"], timeoutSeconds: standard },
  { method: "POST", path: "/events/{eventId}/ticket-types", handler: "http/ticket-types/create", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "PATCH", path: "/ticket-types/{ticketTypeId}", handler: "http/ticket-types/update", access: "organizer", resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue"], timeoutSeconds: provider },
  { method: "POST", path: "/events/{eventId}/promo-codes", handler: "http/promo-codes/create", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "GET", path: "/events/{eventId}/promo-codes", handler: "http/promo-codes/list", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "PATCH", path: "/promo-codes/{promoCodeId}", handler: "http/promo-codes/update", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "GET", path: "/me/events", handler: "http/events/mine", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "GET", path: "/venues", handler: "http/venues/list", access: "public", resources: ["db"], timeoutSeconds: standard },
  { method: "POST", path: "/venues", handler: "http/venues/create", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "GET", path: "/categories", handler: "http/categories/list", access: "public", resources: ["db"], timeoutSeconds: standard },
  { method: "POST", path: "/categories", handler: "http/categories/create", access: "admin", resources: ["db"], timeoutSeconds: standard },
  // participation: RSVP, check-in, dashboards
  { method: "POST", path: "/events/{eventId}/rsvp", handler: "http/rsvp/register", access: "member", resources: ["db", "mail-queue"], timeoutSeconds: standard },
  { method: "DELETE", path: "/events/{eventId}/waitlist", handler: "http/waitlist/leave", access: "member", resources: ["db"], timeoutSeconds: standard },
  { method: "DELETE", path: "/events/{eventId}/rsvp", handler: "http/rsvp/cancel", access: "member", resources: ["db", "mail-queue"], timeoutSeconds: standard },
  { method: "POST", path: "/events/{eventId}/check-ins", handler: "http/check-ins/create", access: "member", resources: ["db", "ticket-key"], timeoutSeconds: standard },
  { method: "GET", path: "/me/participations", handler: "http/participations/mine", access: "member", resources: ["db", "ticket-key"], timeoutSeconds: standard },
  { method: "GET", path: "/events/{eventId}/participants", handler: "http/participations/participants", access: "member", resources: ["db", "ticket-key"], timeoutSeconds: standard },
  // tickets, door staff, attendee desk (checkers are members with an event_staff row: the core checks organizer, admin or checker)
  { method: "PATCH", path: "/me", handler: "http/profile-update", access: "member", resources: ["db"], timeoutSeconds: standard },
  { method: "GET", path: "/me/tickets", handler: "http/tickets/mine", access: "member", resources: ["db", "ticket-key"], timeoutSeconds: standard },
  { method: "PATCH", path: "/tickets/{ticketId}", handler: "http/tickets/update", access: "member", resources: ["db", "ticket-key"], timeoutSeconds: standard },
  { method: "GET", path: "/tickets/{ticketId}/qr.svg", handler: "http/tickets/qr", access: "member", resources: ["db", "ticket-key"], timeoutSeconds: standard },
  { method: "GET", path: "/.well-known/ticket-keys", handler: "http/tickets/keys", access: "public", resources: ["ticket-key"], timeoutSeconds: standard },
  { method: "POST", path: "/events/{eventId}/staff", handler: "http/staff/add", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "DELETE", path: "/events/{eventId}/staff/{userId}", handler: "http/staff/remove", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  { method: "GET", path: "/events/{eventId}/participants.csv", handler: "http/attendees/csv", access: "organizer", resources: ["db"], timeoutSeconds: 29, memoryMB: 1024 },
  { method: "POST", path: "/events/{eventId}/comps", handler: "http/attendees/comps", access: "organizer", resources: ["db", "ticket-key"], timeoutSeconds: standard },
  // orders and payments
  { method: "POST", path: "/events/{eventId}/orders", handler: "http/orders/create", access: "member", resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue", "ticket-key"], timeoutSeconds: provider },
  { method: "GET", path: "/orders/{orderId}", handler: "http/orders/get", access: "member", resources: ["db", "stripe-key", "data-key", "ticket-key"], timeoutSeconds: provider },
  { method: "POST", path: "/orders/{orderId}/cancel", handler: "http/orders/cancel", access: "member", resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue", "ticket-key"], timeoutSeconds: provider },
  { method: "GET", path: "/payments/{paymentId}", handler: "http/payments/get", access: "member", resources: ["db", "data-key"], timeoutSeconds: standard },
  { method: "POST", path: "/payments/{paymentId}/refunds", handler: "http/payments/refund", access: "organizer", resources: ["db", "stripe-key", "data-key", "task-queue"], timeoutSeconds: provider },
  { method: "GET", path: "/me/payments", handler: "http/payments/mine", access: "member", resources: ["db", "data-key"], timeoutSeconds: standard },
  { method: "POST", path: "/events/{eventId}/participants/{participationId}/cancel", handler: "http/participants/cancel", access: "organizer", resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue"], timeoutSeconds: provider },
  { method: "GET", path: "/reports/events/{eventId}", handler: "http/reports/event", access: "organizer", resources: ["db"], timeoutSeconds: standard },
  // operations
  { method: "GET", path: "/ops/payment-health", handler: "http/ops/payment-health", access: "admin", resources: ["db"], timeoutSeconds: standard },
  { method: "POST", path: "/webhooks/stripe", handler: "http/webhooks/stripe", access: "stripe", resources: ["webhook-secret", "webhook-queue"], timeoutSeconds: standard },
];
