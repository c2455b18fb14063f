// The route manifest: every route of the API, each its contract (api/) paired with its handler module
// (http/). infra/api*.ts builds API Gateway from it, the local server dispatches from it, and the
// OpenAPI document and docs/API.md are generated from it, in this order.
import type { RouteDef } from "./manifest";
import type { RouteSchema } from "./api/route-schema";
import * as attendees from "./api/attendees";
import * as events from "./api/events";
import * as ops from "./api/ops";
import * as orders from "./api/orders";
import * as participations from "./api/participations";
import * as payments from "./api/payments";
import * as places from "./api/places";
import * as system from "./api/system";
import * as tickets from "./api/tickets";
import * as webhooks from "./api/webhooks";

/** A manifest entry: the route as infra and the local server see it, with its whole contract. */
export type ApiRoute = RouteSchema & RouteDef;

/** `handler` is the module under packages/functions/src that exports `handler` for this route. */
const route = (handler: string, contract: RouteSchema): ApiRoute => ({ ...contract, handler });

export const routes: readonly ApiRoute[] = [
  // system
  route("http/health", system.health),
  route("http/openapi", system.openapi),
  route("http/me", system.me),
  // events, ticket types, promo codes
  route("http/events/list", events.listEvents),
  route("http/events/create", events.createEvent),
  route("http/events/get", events.getEvent),
  route("http/events/update", events.updateEvent),
  route("http/events/publish", events.publishEvent),
  route("http/events/cancel", events.cancelEvent),
  route("http/events/availability", events.eventAvailability),
  route("http/ticket-types/create", events.createTicketType),
  route("http/ticket-types/update", events.updateTicketType),
  route("http/promo-codes/create", events.createPromoCode),
  route("http/promo-codes/list", events.listPromoCodes),
  route("http/promo-codes/update", events.updatePromoCode),
  route("http/events/mine", events.myEvents),
  route("http/venues/list", places.listVenues),
  route("http/venues/create", places.createVenue),
  route("http/categories/list", places.listCategories),
  route("http/categories/create", places.createCategory),
  // participation: RSVP, check-in, dashboards
  route("http/rsvp/register", participations.registerRsvp),
  route("http/waitlist/leave", participations.leaveWaitlist),
  route("http/rsvp/cancel", participations.cancelRsvp),
  route("http/check-ins/create", participations.createCheckIn),
  route("http/participations/mine", participations.myParticipations),
  route("http/participations/participants", participations.eventParticipants),
  // tickets, door staff, attendee desk (checkers are members with an event_staff row: the core checks organizer, admin or checker)
  route("http/profile-update", system.updateMe),
  route("http/tickets/mine", tickets.myTickets),
  route("http/tickets/update", tickets.updateTicket),
  route("http/tickets/qr", tickets.ticketQr),
  route("http/tickets/keys", tickets.ticketKeys),
  route("http/staff/add", attendees.addStaff),
  route("http/staff/remove", attendees.removeStaff),
  route("http/attendees/csv", attendees.participantsCsv),
  route("http/attendees/comps", attendees.createComp),
  // orders and payments
  route("http/orders/create", orders.createOrder),
  route("http/orders/get", orders.getOrder),
  route("http/orders/cancel", orders.cancelOrder),
  route("http/payments/get", payments.getPayment),
  route("http/payments/refund", payments.refundPayment),
  route("http/payments/mine", payments.myPayments),
  route("http/participants/cancel", orders.cancelParticipant),
  route("http/reports/event", events.eventReport),
  // operations
  route("http/ops/payment-health", ops.paymentHealth),
  route("http/webhooks/stripe", webhooks.stripeWebhook),
];
