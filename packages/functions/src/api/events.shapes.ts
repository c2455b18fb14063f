// Response shapes of the event routes (docs/API.md "Resource shapes"), for the OpenAPI document.
import * as z from "zod";

const id = () => z.uuid();
const at = () => z.iso.datetime();
const currency = () => z.enum(["USD", "EUR", "GBP", "CAD"]);
const count = () => z.number().int().min(0);

export const EventSchema = z.object({
  id: id(),
  organizerId: id(),
  title: z.string(),
  description: z.string().nullable(),
  kind: z.enum(["rsvp", "ticketed"]),
  status: z.enum(["draft", "published", "completed", "cancelled"]),
  startsAt: at(),
  endsAt: at(),
  timezone: z.string(),
  capacity: z.number().int(),
  seatsTaken: count(),
  location: z.string().nullable(),
  venueId: id().nullable(),
  categoryIds: z.array(id()),
  waitlistEnabled: z.boolean(),
  cancellationCutoffHours: count(),
  createdAt: at(),
  updatedAt: at(),
});

export const TicketTypeSchema = z.object({
  id: id(),
  eventId: id(),
  name: z.string(),
  priceMinor: count(),
  currency: currency(),
  quantity: z.number().int().nullable().meta({ description: "null: limited only by the event's capacity" }),
  quantityTaken: count(),
  salesStartAt: at().nullable(),
  salesEndAt: at().nullable(),
  earlyBird: z.object({ priceMinor: count(), until: at() }).nullable(),
  groupDiscount: z.object({ minQuantity: z.number().int(), percent: z.number() }).nullable(),
  slidingScaleMaxPercent: z.number(),
  minPerOrder: z.number().int(),
  maxPerOrder: z.number().int(),
  sortOrder: count(),
  active: z.boolean(),
});

export const AvailabilitySchema = z.object({
  capacity: z.number().int(),
  seatsTaken: count(),
  available: count(),
  waitlisted: count().meta({ description: "Waitlisted participations" }),
  ticketTypes: z.array(
    z.object({
      id: id(),
      available: count(),
      onSale: z.boolean(),
      currentPrice: z.object({ amountMinor: count(), currency: currency() }),
    }),
  ),
});

export const EventDetailSchema = EventSchema.extend({
  ticketTypes: z.array(TicketTypeSchema),
  availability: AvailabilitySchema,
});

export const EventPageSchema = z.object({ items: z.array(EventSchema), nextCursor: z.string().nullable() });

export const PromoCodeSchema = z.object({
  id: id(),
  eventId: id(),
  code: z.string(),
  percentOff: z.number().nullable(),
  amountOffMinor: count().nullable(),
  maxUses: z.number().int().nullable(),
  uses: count(),
  validFrom: at().nullable(),
  validUntil: at().nullable(),
  active: z.boolean(),
  ticketTypeIds: z.array(id()).nullable().meta({ description: "null: every ticket type of the event" }),
  createdAt: at(),
});

const range = z.enum(["full_price", "light", "moderate", "high"]);
const moneyRow = z.object({ currency: currency(), amountMinor: count() });

export const EventReportSchema = z.object({
  eventId: id(),
  title: z.string(),
  kind: z.enum(["rsvp", "ticketed"]),
  status: z.enum(["draft", "published", "completed", "cancelled"]),
  generatedAt: at(),
  capacity: z.object({ capacity: z.number().int(), seatsTaken: count(), available: count() }),
  participations: z.object({
    active: count(),
    pending: count(),
    waitlisted: count(),
    cancelled: count(),
    refunded: count(),
    checkedIn: count(),
  }),
  seats: z.object({ active: count(), pending: count(), waitlisted: count() }),
  ticketTypes: z.array(
    z.object({
      id: id(),
      name: z.string(),
      priceMinor: count(),
      currency: currency(),
      quantity: z.number().int().nullable(),
      quantityTaken: count(),
      sold: count(),
      held: count(),
    }),
  ),
  revenue: z.object({
    byCurrency: z.array(
      z.object({ currency: currency(), payments: count(), grossMinor: count(), refundedMinor: count(), netMinor: z.number().int() }),
    ),
    slidingScale: z.array(z.object({ range, label: z.string(), payments: count(), byCurrency: z.array(moneyRow) })),
  }),
});
