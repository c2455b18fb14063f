// Test data for payment flows: an organizer and a published ticketed event with one paid type.
import { randomUUID } from "node:crypto";
import type { Db } from "@evently/core/db/client";

export interface PaidEvent {
  organizerId: string;
  organizerSub: string;
  eventId: string;
  ticketTypeId: string;
}

export async function createPaidEvent(
  db: Db,
  options: {
    capacity?: number;
    priceMinor?: number;
    waitlist?: boolean;
    quantity?: number | null;
    slidingScaleMaxPercent?: number;
    startsInHours?: number;
  } = {},
): Promise<PaidEvent> {
  const organizerSub = `org-${randomUUID()}`;
  const organizer = await db
    .insertInto("users")
    .values({ externalId: organizerSub, email: `${organizerSub}@example.test`, roles: ["member", "organizer"] })
    .returning("id")
    .executeTakeFirstOrThrow();
  const startsAt = new Date(Date.now() + (options.startsInHours ?? 24 * 30) * 3_600_000);
  const event = await db
    .insertInto("events")
    .values({
      organizerId: organizer.id,
      title: "Paid workshop",
      kind: "ticketed",
      status: "published",
      startsAt,
      endsAt: new Date(startsAt.getTime() + 7_200_000),
      capacity: options.capacity ?? 10,
      waitlistEnabled: options.waitlist ?? false,
      publishedAt: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const type = await db
    .insertInto("ticketTypes")
    .values({
      eventId: event.id,
      name: "General",
      priceMinor: options.priceMinor ?? 2500,
      currency: "USD",
      quantity: options.quantity ?? null,
      slidingScaleMaxPercent: options.slidingScaleMaxPercent ?? 0,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { organizerId: organizer.id, organizerSub, eventId: event.id, ticketTypeId: type.id };
}

/** Polls until `check` returns a value (not undefined/false) or the timeout passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
