// Contracts of the attendee desk: door staff, the CSV export and comps.
import * as z from "zod";
import * as Attendees from "@evently/core/attendees";
import * as Staff from "@evently/core/staff";
import { defineRoute, idParams, uuid } from "./route-schema";
import { ParticipationSchema } from "./participations.shapes";
import { StaffSchema, TicketSchema } from "./tickets.shapes";
import { ROUTE_LIMITS } from "../manifest";

const eventParams = idParams("eventId");

export const addStaff = defineRoute({
  method: "POST",
  path: "/events/{eventId}/staff",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Make a registered user (by userId or email) a checker of this event: 201, or 200 if already one; 422 unknown_user",
  tags: ["staff"],
  params: eventParams,
  body: Staff.addChecker.schema,
  response: StaffSchema,
  successStatus: 201,
  problems: ["conflict", "unknown_user"],
  responses: { 200: StaffSchema },
});

export const removeStaff = defineRoute({
  method: "DELETE",
  path: "/events/{eventId}/staff/{userId}",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Remove a checker from this event",
  tags: ["staff"],
  params: z.object({ eventId: uuid(), userId: uuid() }),
  response: StaffSchema,
});

export const participantsCsv = defineRoute({
  method: "GET",
  path: "/events/{eventId}/participants.csv",
  access: "organizer",
  resources: ["db"],
  timeoutSeconds: 29,
  memoryMB: 1024,
  summary: "Every participant as CSV (UTF-8, header row, RFC 4180), read in batches; gzip when the client accepts it",
  tags: ["participations"],
  params: eventParams,
  // The event is the path's.
  query: Attendees.participantsCsv.schema.omit({ eventId: true }),
  response: z
    .string()
    .meta({ description: "name,email,status,ticket_type,quantity,amount_paid,currency,payment_status,checked_in_at,order_id" }),
  contentType: "text/csv",
});

export const createComp = defineRoute({
  method: "POST",
  path: "/events/{eventId}/comps",
  access: "organizer",
  resources: ["db", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Give a registered user free seats: 201 active participation with tickets, no payment; 409 sold_out when full",
  tags: ["participations"],
  params: eventParams,
  body: Attendees.createComp.schema,
  response: ParticipationSchema.extend({ tickets: z.array(TicketSchema) }),
  successStatus: 201,
  problems: ["already_registered", "invalid_quantity", "invalid_state", "sold_out", "unknown_ticket_type", "unknown_user"],
});
