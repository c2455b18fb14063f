// Response shapes of the participation routes (docs/API.md "Resource shapes"); payments can reuse
// ParticipationSchema in its order responses.
import * as z from "zod";
import { PARTICIPATION_STATUSES } from "@evently/core/ticketing";

const micros = (description: string) => z.string().meta({ description: `${description} (ISO-8601 UTC, microseconds)` });

/** docs/API.md's Participation; payments can reuse it in order responses. */
export const ParticipationSchema = z
  .object({
    id: z.uuid(),
    eventId: z.uuid(),
    userId: z.uuid(),
    kind: z.enum(["rsvp", "ticket"]),
    status: z.enum(PARTICIPATION_STATUSES),
    quantity: z.number().int(),
    waitlistPosition: z.number().int().min(1).nullable().meta({ description: "1-based place in the queue while waitlisted, else null" }),
    holdExpiresAt: micros("Until when pending seats are held").nullable(),
    createdAt: micros("When the participation was first created"),
    cancelledAt: micros("Set exactly while cancelled or refunded").nullable(),
    checkedInAt: micros("First check-in").nullable(),
  })
  .meta({ id: "Participation" });

export const PaymentSummary = {
  paymentStatus: z
    .enum(["pending", "completed", "failed", "cancelled", "refunded", "partially_refunded"])
    .nullable()
    .meta({ description: "Status of the latest order's payment; null for RSVPs and orders without a payment" }),
  amountPaidMinor: z
    .number()
    .int()
    .nullable()
    .meta({ description: "Captured minus refunded, in minor units; 0 while not captured; null without a payment" }),
  currency: z.string().nullable(),
};

export const CheckInSchema = z
  .object({ id: z.uuid(), participationId: z.uuid(), checkedInAt: micros("When"), checkedInBy: z.uuid().nullable() })
  .meta({ id: "CheckIn" });

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
