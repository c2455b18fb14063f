// Shapes of tickets and attendee-desk responses, shared by the ticket, order, participation and
// desk routes.
import * as z from "zod";
import { ParticipationSchema, PaymentSummary } from "./participations.shapes";

const micros = (description: string) => z.string().meta({ description: `${description} (ISO-8601 UTC, microseconds)` });

export const TicketSchema = z
  .object({
    id: z.uuid(),
    participationId: z.uuid(),
    eventId: z.uuid(),
    ticketTypeId: z.uuid().nullable(),
    holderName: z.string().nullable().meta({ description: "Who the seat was given to; the buyer's name until then" }),
    holderEmail: z.string().nullable(),
    status: z.enum(["valid", "void"]),
    code: z.string().meta({ description: "Compact JWS (EdDSA) naming the ticket and event; verify with GET /.well-known/ticket-keys" }),
    checkedInAt: micros("When this ticket was scanned at the door").nullable(),
  })
  .meta({ id: "Ticket" });

export const ParticipantSchema = ParticipationSchema.extend({
  user: z.object({ id: z.uuid(), email: z.string().nullable(), name: z.string().nullable() }),
  orderId: z.uuid().nullable(),
  paymentId: z.uuid().nullable(),
  ...PaymentSummary,
  tickets: z.array(TicketSchema),
}).meta({ id: "Participant" });

export const TicketCheckInSchema = z
  .object({
    ticketId: z.uuid(),
    participationId: z.uuid(),
    eventId: z.uuid(),
    ticketTypeId: z.uuid().nullable(),
    holderName: z.string().nullable(),
    holderEmail: z.string().nullable(),
    checkedInAt: micros("First scan of this ticket"),
    checkedInBy: z.uuid().nullable(),
  })
  .meta({ id: "TicketCheckIn" });

export const StaffSchema = z
  .object({
    eventId: z.uuid(),
    userId: z.uuid(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    role: z.literal("checker"),
    createdAt: z.string(),
  })
  .meta({ id: "Staff" });
