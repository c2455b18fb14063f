// Contracts of the ticket routes: the caller's tickets, giving a seat away, QR images and the
// public keys that verify ticket codes.
import * as z from "zod";
import * as Tickets from "@evently/core/tickets";
import { defineRoute, idParams, pageLimit } from "./route-schema";
import { page } from "./participations.shapes";
import { TicketSchema } from "./tickets.shapes";
import { ROUTE_LIMITS } from "../manifest";

export const myTickets = defineRoute({
  method: "GET",
  path: "/me/tickets",
  access: "member",
  resources: ["db", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "The caller's valid tickets, soonest event first",
  tags: ["tickets"],
  query: Tickets.myTickets.schema.extend({ limit: pageLimit() }),
  response: page(
    TicketSchema.extend({ event: z.object({ id: z.uuid(), title: z.string(), startsAt: z.string(), location: z.string().nullable() }) }),
  ),
});

export const updateTicket = defineRoute({
  method: "PATCH",
  path: "/tickets/{ticketId}",
  access: "member",
  resources: ["db", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "Give a seat to a person: holder name and email (the buyer only); 409 ticket_void",
  tags: ["tickets"],
  params: idParams("ticketId"),
  body: Tickets.updateTicketHolder.schema,
  response: TicketSchema,
  problems: ["ticket_void"],
});

export const ticketQr = defineRoute({
  method: "GET",
  path: "/tickets/{ticketId}/qr.svg",
  access: "member",
  resources: ["db", "ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  summary: "The ticket's code as an SVG QR image (buyer, the event's organizer, admins, its checkers)",
  tags: ["tickets"],
  params: idParams("ticketId"),
  response: z.string().meta({ description: "SVG document" }),
  contentType: "image/svg+xml",
  problems: ["ticket_void"],
});

export const ticketKeys = defineRoute({
  method: "GET",
  path: "/.well-known/ticket-keys",
  access: "public",
  resources: ["ticket-key"],
  timeoutSeconds: ROUTE_LIMITS.standard,
  // Door apps cache it; five minutes matches how long functions cache the secret after a rotation.
  cacheSeconds: 300,
  summary: "JWKS of the Ed25519 keys that sign ticket codes (current and previous), for verifying codes offline",
  tags: ["tickets"],
  response: z.object({
    keys: z.array(
      z.object({
        kty: z.literal("OKP"),
        crv: z.literal("Ed25519"),
        x: z.string(),
        kid: z.string(),
        alg: z.literal("EdDSA"),
        use: z.literal("sig"),
      }),
    ),
  }),
});
