// Contracts of the event, ticket-type, promo-code and report routes. Bodies are the core services'
// own input schemas, so HTTP and direct callers validate by the very same rules.
import * as Events from "@evently/core/events";
import * as z from "zod";
import * as Ticketing from "@evently/core/ticketing";
import { defineRoute, idParams, pageLimit } from "./route-schema";
import {
  AvailabilitySchema,
  EventDetailSchema,
  EventPageSchema,
  EventReportSchema,
  EventSchema,
  PromoCodeSchema,
  TicketTypeSchema,
} from "./events.shapes";
import { ROUTE_LIMITS } from "../manifest";

const eventParams = idParams("eventId");

const ListEventsQuery = Events.listEvents.schema.extend({ limit: pageLimit() });

export const listEvents = defineRoute({
  method: "GET",
  path: "/events",
  access: "public",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  // Published events change rarely and a listing a few seconds old is fine; seat counts live in availability.
  cacheSeconds: 30,
  summary: "Published events, soonest first, with filters and cursor pagination",
  tags: ["events"],
  query: ListEventsQuery,
  response: EventPageSchema,
});

export const createEvent = defineRoute({
  method: "POST",
  path: "/events",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Create a draft event organized by the caller",
  tags: ["events"],
  body: Events.createEvent.schema,
  response: EventSchema,
  successStatus: 201,
});

export const getEvent = defineRoute({
  method: "GET",
  path: "/events/{eventId}",
  access: "optional",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  // Anonymous readers share the cached event; a caller with a token sees drafts and is never shared-cached.
  cacheSeconds: 30,
  summary: "An event with its ticket types and availability (drafts only to their organizer and admins)",
  tags: ["events"],
  params: eventParams,
  response: EventDetailSchema,
});

export const updateEvent = defineRoute({
  method: "PATCH",
  path: "/events/{eventId}",
  access: "organizer",
  resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue"],
  timeoutSeconds: ROUTE_LIMITS.provider,
  summary: "Edit a draft or published event; capacity cannot drop below the seats taken",
  tags: ["events"],
  params: eventParams,
  body: Events.updateEvent.schema,
  response: EventSchema,
  problems: ["capacity_below_taken", "invalid_state"],
});

export const publishEvent = defineRoute({
  method: "POST",
  path: "/events/{eventId}/publish",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Publish a draft",
  tags: ["events"],
  params: eventParams,
  response: EventSchema,
  problems: ["invalid_state", "validation_failed"],
});

export const cancelEvent = defineRoute({
  method: "POST",
  path: "/events/{eventId}/cancel",
  access: "organizer",
  resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue"],
  timeoutSeconds: ROUTE_LIMITS.bulk,
  summary: "Cancel an event, its participations, and refund completed payments",
  tags: ["events"],
  params: eventParams,
  body: Events.cancelEvent.schema,
  bodyOptional: true,
  response: EventSchema,
  problems: ["invalid_state"],
});

export const eventAvailability = defineRoute({
  method: "GET",
  path: "/events/{eventId}/availability",
  access: "public",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  // Seats move with every sale: cached just long enough to absorb a rush of identical reads.
  cacheSeconds: 5,
  summary: "Seats and ticket types left, on sale now, at today's price",
  tags: ["events"],
  params: eventParams,
  response: AvailabilitySchema,
});

export const createTicketType = defineRoute({
  method: "POST",
  path: "/events/{eventId}/ticket-types",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Add a ticket type to a ticketed event (one currency per event)",
  tags: ["ticket types"],
  params: eventParams,
  body: Ticketing.createTicketType.schema,
  response: TicketTypeSchema,
  successStatus: 201,
  problems: ["invalid_state"],
});

export const updateTicketType = defineRoute({
  method: "PATCH",
  path: "/ticket-types/{ticketTypeId}",
  access: "organizer",
  resources: ["db", "stripe-key", "data-key", "task-queue", "mail-queue"],
  timeoutSeconds: ROUTE_LIMITS.provider,
  summary: "Edit a ticket type; quantity cannot drop below the tickets taken",
  tags: ["ticket types"],
  params: idParams("ticketTypeId"),
  body: Ticketing.updateTicketType.schema,
  response: TicketTypeSchema,
  problems: ["invalid_state", "quantity_below_taken"],
});

export const createPromoCode = defineRoute({
  method: "POST",
  path: "/events/{eventId}/promo-codes",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Add a promo code (percent or amount off; unique per event, case-insensitively)",
  tags: ["promo codes"],
  params: eventParams,
  body: Ticketing.createPromoCode.schema,
  response: PromoCodeSchema,
  successStatus: 201,
  problems: ["conflict", "invalid_state"],
});

export const eventReport = defineRoute({
  method: "GET",
  path: "/reports/events/{eventId}",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Capacity use, participation counts, revenue, refunds and sliding-scale distribution",
  tags: ["reports"],
  params: eventParams,
  response: EventReportSchema,
});

export const listPromoCodes = defineRoute({
  method: "GET",
  path: "/events/{eventId}/promo-codes",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "The event's promo codes with their uses",
  tags: ["promo codes"],
  params: eventParams,
  response: z.object({ items: z.array(PromoCodeSchema) }),
});

export const updatePromoCode = defineRoute({
  method: "PATCH",
  path: "/promo-codes/{promoCodeId}",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Edit a promo code: active, maxUses (never below its uses: 409), validity window, ticket types it applies to",
  tags: ["promo codes"],
  params: idParams("promoCodeId"),
  body: Ticketing.updatePromoCode.schema,
  response: PromoCodeSchema,
  problems: ["conflict"],
});

export const myEvents = defineRoute({
  method: "GET",
  path: "/me/events",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Events the caller organizes, any status, newest first, with seats taken",
  tags: ["events"],
  query: Events.listMyEvents.schema.extend({ limit: pageLimit() }),
  response: EventPageSchema,
});
