// Contracts of the participation routes: RSVP, check-in, the member's dashboard and the organizer's
// participant list.
import * as z from "zod";
import * as Attendees from "@evently/core/attendees";
import * as Ticketing from "@evently/core/ticketing";
import { defineRoute, idParams, pageLimit } from "./route-schema";
import { CheckInSchema, page, ParticipationSchema, PaymentSummary } from "./participations.shapes";
import { ParticipantSchema, TicketCheckInSchema, TicketSchema } from "./tickets.shapes";
import { ROUTE_LIMITS } from "../manifest";

const eventParams = idParams("eventId");

/** A participation's check-in (by `participationId`) or one ticket's (by `code`). */
const checkInResult = z.union([CheckInSchema, TicketCheckInSchema]);

export const registerRsvp = defineRoute({
  method: "POST",
  path: "/events/{eventId}/rsvp",
  access: "member",
  resources: ["db", "mail-queue"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "RSVP to a published rsvp event: 201 active, or 201 waitlisted when full with a waitlist; 409 event_full or already_registered",
  tags: ["participations"],
  params: eventParams,
  body: Ticketing.registerRsvp.schema,
  bodyOptional: true,
  response: ParticipationSchema,
  successStatus: 201,
  problems: ["already_registered", "conflict", "event_ended", "event_full", "invalid_state"],
});

export const cancelRsvp = defineRoute({
  method: "DELETE",
  path: "/events/{eventId}/rsvp",
  access: "member",
  resources: ["db", "mail-queue"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary:
    "Cancel the caller's RSVP: frees the seat and promotes the waitlist; repeating it returns the cancelled RSVP; 409 not_registered without one",
  tags: ["participations"],
  params: eventParams,
  body: Ticketing.cancelRsvp.schema,
  bodyOptional: true,
  response: ParticipationSchema,
  problems: ["conflict", "invalid_state", "not_registered"],
});

export const createCheckIn = defineRoute({
  method: "POST",
  path: "/events/{eventId}/check-ins",
  access: "member",
  resources: ["db", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary:
    "Check in by scanned ticket `code` (one ticket) or by `participationId` (the whole party): 201 the first time, 200 with that same check-in afterwards; 409 not_active or ticket_void; 422 invalid_ticket_code (organizer, admin or checker)",
  tags: ["participations"],
  params: eventParams,
  body: Ticketing.checkIn.schema,
  response: checkInResult,
  successStatus: 201,
  // Member access: the core lets the event's managers and checkers in, and refuses other members (403).
  // Not listed: the core's `conflict` guard for a ticket that is neither void nor checked in after a
  // failed check-in, which cannot happen (void tickets never turn valid, check-ins are never undone).
  problems: ["forbidden", "invalid_ticket_code", "not_active", "ticket_void"],
  responses: { 200: checkInResult },
});

export const myParticipations = defineRoute({
  method: "GET",
  path: "/me/participations",
  access: "member",
  resources: ["db", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "The caller's upcoming events (active, pending and waitlisted participations), soonest first",
  tags: ["participations"],
  query: Ticketing.myParticipations.schema.extend({ limit: pageLimit() }),
  response: page(
    ParticipationSchema.extend({
      event: z.object({ id: z.uuid(), title: z.string(), startsAt: z.string(), location: z.string().nullable() }),
      ...PaymentSummary,
      tickets: z.array(TicketSchema),
      cancellationDeadline: z.string().meta({ description: "startsAt minus the event's cancellation cutoff" }),
    }),
  ),
});

export const eventParticipants = defineRoute({
  method: "GET",
  path: "/events/{eventId}/participants",
  access: "member",
  resources: ["db", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "The event's participants in registration order with buyer, order, payment, check-in and tickets (organizer, admin or checker)",
  tags: ["participations"],
  params: eventParams,
  // The event is the path's; the core's page-size bound, parsed from the query string's digits.
  query: Attendees.eventParticipants.schema.omit({ eventId: true }).extend({ limit: pageLimit(500) }),
  response: page(ParticipantSchema),
  // Member access: the core lets the event's managers and checkers in, and refuses other members (403).
  problems: ["forbidden"],
});

export const leaveWaitlist = defineRoute({
  method: "DELETE",
  path: "/events/{eventId}/waitlist",
  access: "member",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Leave the waitlist of an event (RSVP or tickets); 409 not_waitlisted when not on it",
  tags: ["participations"],
  params: eventParams,
  response: ParticipationSchema,
  problems: ["not_waitlisted"],
});
