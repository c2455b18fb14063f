// The hot reads each cost one statement (one round trip to the database), whatever they return:
// a later change that adds a query to one of them fails here instead of slowly in production.
import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@evently/core/db/client";
import { eventParticipants } from "@evently/core/attendees/participants";
import { getAvailability } from "@evently/core/events/availability";
import { getPayment, myPayments } from "@evently/core/payments/payment-views";
import { myParticipations } from "@evently/core/ticketing/dashboards";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { paidOrder, startPaymentsHarness, type PaidOrder, type PaymentsHarness } from "./harness";

let h: PaymentsHarness;
let counted: Db;
let statements = 0;
let org: TestActor;
let admin: TestActor;
let checker: TestActor;
let stranger: TestActor;
let otherOrg: TestActor;
let buyers: TestActor[];
let paid: PaidOrder[];
let eventId: string;

// Kysely hands every executed statement's result to the plugins once: a count of round trips.
const counter: KyselyPlugin = {
  transformQuery: ({ node }) => node,
  transformResult: ({ result }) => {
    statements++;
    return Promise.resolve(result);
  },
};

/** Runs `read` and returns what it answered (or threw) and how many statements it sent. */
async function count<T>(read: () => Promise<T>): Promise<{ result?: T; error?: { code?: string }; statements: number }> {
  const before = statements;
  try {
    const result = await read();
    return { result, statements: statements - before };
  } catch (error) {
    return { error: error as { code?: string }, statements: statements - before };
  }
}

beforeAll(async () => {
  h = await startPaymentsHarness();
  counted = h.t.db.withPlugin(counter);
  [org, admin, checker, stranger, otherOrg] = await Promise.all([
    makeActor(h.t.db, { role: "organizer" }),
    makeActor(h.t.db, { role: "admin" }),
    makeActor(h.t.db),
    makeActor(h.t.db),
    makeActor(h.t.db, { role: "organizer" }),
  ]);
  const event = await makeEvent(h.t.db, org, { kind: "ticketed", capacity: 20, startsAt: inDays(30) });
  eventId = event.id;
  const type = await makeTicketType(h.t.db, org, eventId, { priceMinor: 1800 });
  buyers = await Promise.all([1, 2, 3].map(() => makeActor(h.t.db)));
  paid = [];
  for (const [i, buyer] of buyers.entries()) paid.push(await paidOrder(h, buyer, eventId, type.id, i + 1));
  await h.t.db.insertInto("eventStaff").values({ eventId, userId: checker.userId, role: "checker" }).execute();
});
afterAll(async () => {
  await h.stop();
});

describe("one statement per read", () => {
  it("GET /payments/{id}: the payment with its ledger, refunds and audit, for the buyer and for an admin", async () => {
    for (const who of [buyers[0]!, admin]) {
      const read = await count(() => getPayment({ db: counted }, who, paid[0]!.paymentId));
      expect(read.statements).toBe(1);
      expect(read.result).toMatchObject({ id: paid[0]!.paymentId, status: "completed", transactions: [{ type: "payment" }] });
      expect(read.result!.audit.map((a) => a.actionType)).toContain("PaymentCompleted");
    }
    const hidden = await count(() => getPayment({ db: counted }, stranger, paid[0]!.paymentId));
    expect(hidden).toMatchObject({ error: { code: "not_found" }, statements: 1 });
  });

  it("GET /me/payments: a page of payments with their details", async () => {
    const read = await count(() => myPayments({ db: counted }, buyers[2]!, { limit: 10 }));
    expect(read.statements).toBe(1);
    expect(read.result!.items.map((p) => [p.id, p.transactions.length])).toEqual([[paid[2]!.paymentId, 1]]);
  });

  it("GET /events/{id}/participants: each page is one statement with the door check, payments and signed tickets", async () => {
    for (const who of [org, admin, checker]) {
      const first = await count(() => eventParticipants(counted, who, { eventId, limit: 2 }));
      expect(first.statements).toBe(1);
      expect(first.result!.items.map((p) => p.user.id)).toEqual([buyers[0]!.userId, buyers[1]!.userId]);
      expect(first.result!.items[1]).toMatchObject({
        orderId: paid[1]!.orderId,
        paymentId: paid[1]!.paymentId,
        paymentStatus: "completed",
      });
      expect(first.result!.items[1]!.tickets).toHaveLength(2);
      expect(first.result!.items[1]!.tickets[0]!.code).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const second = await count(() => eventParticipants(counted, who, { eventId, limit: 2, cursor: first.result!.nextCursor! }));
      expect(second.statements).toBe(1);
      expect(second.result).toMatchObject({ items: [{ user: { id: buyers[2]!.userId } }], nextCursor: null });
    }
  });

  it("keeps a caller out in that same statement, and tells a refusal from an empty page", async () => {
    expect(await count(() => eventParticipants(counted, stranger, { eventId, limit: 5 }))).toMatchObject({
      error: { code: "forbidden" },
      statements: 1,
    });
    expect(await count(() => eventParticipants(counted, otherOrg, { eventId, limit: 5 }))).toMatchObject({
      error: { code: "not_found" },
      statements: 1,
    });
    const empty = await count(() => eventParticipants(counted, org, { eventId, limit: 5, status: "waitlisted" }));
    expect(empty).toMatchObject({ result: { items: [], nextCursor: null }, statements: 1 });
    const missing = await count(() => eventParticipants(counted, admin, { eventId: crypto.randomUUID(), limit: 5 }));
    expect(missing).toMatchObject({ error: { code: "not_found" }, statements: 1 });
  });

  it("GET /me/participations: the dashboard page with payments and tickets", async () => {
    const read = await count(() => myParticipations(counted, buyers[1]!, { limit: 10 }));
    expect(read.statements).toBe(1);
    expect(read.result!.items).toHaveLength(1);
    expect(read.result!.items[0]).toMatchObject({ eventId, paymentStatus: "completed", amountPaidMinor: 3600 });
    expect(read.result!.items[0]!.tickets).toHaveLength(2);
  });

  it("GET /events/{id}/availability: the counters and ticket types", async () => {
    const read = await count(() => getAvailability(counted, eventId));
    expect(read.statements).toBe(1);
    expect(read.result).toMatchObject({ capacity: 20, seatsTaken: 6, available: 14, ticketTypes: [{ available: 14, onSale: true }] });
  });
});
