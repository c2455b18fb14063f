// Core commands parse their own input: a caller that bypasses HTTP (a job, a fixture, a script)
// meets the route's rules and gets the same validation_failed problem, before anything is read.
import { describe, expect, it } from "vitest";
import * as Attendees from "@evently/core/attendees";
import type { Actor } from "@evently/core/auth/actor";
import type { Db } from "@evently/core/db/client";
import * as Events from "@evently/core/events";
import * as Payments from "@evently/core/payments";
import * as Staff from "@evently/core/staff";
import * as Ticketing from "@evently/core/ticketing";
import * as Tickets from "@evently/core/tickets";
import * as Users from "@evently/core/users";

/** A database that fails the test if a command reaches it: bad input must be refused first. */
const untouchable = new Proxy({} as Db, {
  get(_target, property) {
    throw new Error(`the command touched the database (${String(property)}) before validating its input`);
  },
});
const deps = { db: untouchable } as unknown as Payments.PaymentsDeps;
const organizer: Actor = { userId: "5b0c4c3e-2f1a-4e8b-9d7c-6a5b4c3d2e1f", sub: "org", email: "org@example.com", roles: ["organizer"] };
const eventId = "0b6f4b7e-5f39-4c4f-8d1e-9c8a7b6a5f41";

const refused = async (call: () => Promise<unknown>, path: string) =>
  expect(call()).rejects.toMatchObject({
    code: "validation_failed",
    extra: { errors: expect.arrayContaining([expect.objectContaining({ path })]) },
  });

describe("commands refuse bad input before reading anything", () => {
  it("door staff, comps and check-ins", async () => {
    await refused(() => Staff.addChecker(untouchable, organizer, eventId, { userId: "not-a-uuid" }), "userId");
    await refused(() => Staff.addChecker(untouchable, organizer, eventId, { email: "nobody" }), "email");
    await refused(() => Attendees.createComp(untouchable, organizer, eventId, { email: "a@example.com", quantity: 1001 }), "quantity");
    await refused(
      () => Attendees.createComp(untouchable, organizer, eventId, { email: "a@example.com", ticketTypeId: "x", quantity: 1 }),
      "ticketTypeId",
    );
    await refused(() => Ticketing.checkIn(untouchable, organizer, eventId, { code: "   " }), "code");
  });

  it("the participant list, its CSV and the member's lists", async () => {
    await refused(() => Attendees.eventParticipants(untouchable, organizer, { eventId, limit: 501 }), "limit");
    await refused(() => Attendees.eventParticipants(untouchable, organizer, { eventId, q: "a\u0000b" }), "q");
    await refused(() => Attendees.participantsCsv(untouchable, organizer, { eventId: "not-a-uuid" }), "eventId");
    await refused(() => Tickets.myTickets(untouchable, organizer, { limit: 0 }), "limit");
    await refused(() => Ticketing.myParticipations(untouchable, organizer, { cursor: "" }), "cursor");
  });

  it("ticket holders, cancellations and the profile", async () => {
    const ticketId = "7d9e8f70-1a2b-4c3d-8e4f-5a6b7c8d9e0f";
    await refused(() => Tickets.updateTicketHolder(untouchable, organizer, ticketId, {}), "");
    await refused(() => Tickets.updateTicketHolder(untouchable, organizer, ticketId, { holderEmail: "nobody" }), "holderEmail");
    await refused(() => Events.cancelEvent(untouchable, organizer, eventId, { reason: "x".repeat(1_001) }), "reason");
    await refused(() => Payments.cancelOrder(deps, organizer, eventId, { reason: "  " }), "reason");
    await refused(() => Users.updateMe(untouchable, organizer, { name: "" }), "name");
  });
});
