// The paid hold as one statement (place_ticket_hold): its answer equals the order read back, and
// each outcome it signals (own hold, sold out, key taken) changes exactly what it should.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getOrder } from "@evently/core/payments/order-lifecycle";
import { placeOrder } from "@evently/core/payments/orders";
import type { IdempotencyRequest } from "@evently/core/idempotency";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { startPaymentsHarness, type PaymentsHarness } from "./harness";

let h: PaymentsHarness;
let org: TestActor;

beforeAll(async () => {
  h = await startPaymentsHarness();
  org = await makeActor(h.t.db, { role: "organizer" });
});
afterAll(async () => {
  await h.stop();
});

async function ticketed(capacity: number, waitlistEnabled = false) {
  const event = await makeEvent(h.t.db, org, { kind: "ticketed", capacity, startsAt: inDays(20), waitlistEnabled });
  const type = await makeTicketType(h.t.db, org, event.id, { priceMinor: 2500 });
  return { eventId: event.id, ticketTypeId: type.id };
}

const key = (actor: TestActor, name: string): IdempotencyRequest => ({
  userId: actor.userId,
  scope: "orders:create",
  key: name,
  requestHash: `hash-${name}`,
  leaseSeconds: 30,
});

async function counts(eventId: string) {
  const count = async (table: "participations" | "orders") =>
    Number(
      (
        await h.t.db
          .selectFrom(table)
          .select(sql<number>`count(*)`.as("n"))
          .where("eventId", "=", eventId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const event = await h.t.db.selectFrom("events").select("seatsTaken").where("id", "=", eventId).executeTakeFirstOrThrow();
  const tasks = await h.t.db
    .selectFrom("providerTasks as t")
    .innerJoin("payments as p", "p.id", "t.paymentId")
    .innerJoin("orders as o", "o.id", "p.orderId")
    .select(sql<number>`count(*)`.as("n"))
    .where("o.eventId", "=", eventId)
    .executeTakeFirstOrThrow();
  return {
    seats: event.seatsTaken,
    participations: await count("participations"),
    orders: await count("orders"),
    tasks: Number(tasks.n),
  };
}

describe("place_ticket_hold", () => {
  it("answers 201 from the rows it wrote: the same body a read of the order gives, with the intent", async () => {
    const buyer = await makeActor(h.t.db);
    const { eventId, ticketTypeId } = await ticketed(10);
    const placed = await placeOrder(
      h.deps,
      buyer,
      eventId,
      { ticketTypeId, quantity: 2 },
      { ip: "203.0.113.9", userAgent: "t" },
      key(buyer, "shape"),
    );
    expect(placed.status).toBe(201);
    expect(placed.result.payment?.providerPaymentId).toMatch(/^pi_/);
    expect(placed.result.payment?.clientSecret).toMatch(/_secret_/);
    const read = await getOrder(h.deps, buyer, placed.result.order!.id);
    expect(JSON.parse(JSON.stringify(placed.result))).toEqual(JSON.parse(JSON.stringify(read)));
    const stored = await h.t.db
      .selectFrom("idempotencyKeys")
      .select(["status", "responseStatus", "resourceId", "lockedUntil"])
      .where("key", "=", "shape")
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: "completed", responseStatus: 201, resourceId: placed.result.order!.id, lockedUntil: null });
    const task = await h.t.db
      .selectFrom("providerTasks")
      .select(["status", "attempts", "lockedUntil"])
      .where("paymentId", "=", placed.result.payment!.id)
      .executeTakeFirstOrThrow();
    expect(task).toEqual({ status: "succeeded", attempts: 1, lockedUntil: null });
    const audit = await h.t.db
      .selectFrom("paymentAuditLog")
      .select(["actionType", "ipAddress"])
      .where("paymentId", "=", placed.result.payment!.id)
      .orderBy("createdAt")
      .execute();
    expect(audit.map((a) => a.actionType)).toEqual(["PaymentInitiated", "PaymentProcessed"]);
    expect(audit[0]!.ipAddress).toBe("203.0.113.9");
    expect(await counts(eventId)).toEqual({ seats: 2, participations: 1, orders: 1, tasks: 1 });
  });

  it("a buyer who already holds seats gets that order back with 200 under a new key, and nothing more is held", async () => {
    const buyer = await makeActor(h.t.db);
    const { eventId, ticketTypeId } = await ticketed(10);
    const first = await placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1 }, {}, key(buyer, "own-1"));
    const again = await placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 3 }, {}, key(buyer, "own-2"));
    expect(again.status).toBe(200);
    expect(again.result.order?.id).toBe(first.result.order?.id);
    expect(again.result.order?.quantity).toBe(1);
    expect(await counts(eventId)).toEqual({ seats: 1, participations: 1, orders: 1, tasks: 1 });
  });

  it("sold out at the lock with a waitlist: the buyer is waitlisted and the failed hold left no row behind", async () => {
    const [first, second] = [await makeActor(h.t.db), await makeActor(h.t.db)];
    const { eventId, ticketTypeId } = await ticketed(1, true);
    await placeOrder(h.deps, first, eventId, { ticketTypeId, quantity: 1 });
    const late = await placeOrder(h.deps, second, eventId, { ticketTypeId, quantity: 1 }, {}, key(second, "late"));
    expect(late.status).toBe(201);
    expect(late.result.order).toBeNull();
    expect(late.result.participation.status).toBe("waitlisted");
    expect(await counts(eventId)).toEqual({ seats: 1, participations: 2, orders: 1, tasks: 1 });
  });

  it("a rush without a waitlist: exactly capacity holds, the rest sold_out, and refused holds leave no rows or keys", async () => {
    const { eventId, ticketTypeId } = await ticketed(3);
    const buyers = await Promise.all(Array.from({ length: 12 }, () => makeActor(h.t.db)));
    const answers = await Promise.allSettled(
      buyers.map((b, i) => placeOrder(h.deps, b, eventId, { ticketTypeId, quantity: 1 }, {}, key(b, `rush-${i}`))),
    );
    const held = answers.filter((a) => a.status === "fulfilled");
    const refused = answers.flatMap((a) => (a.status === "rejected" ? [(a.reason as { code?: string }).code] : []));
    expect(held).toHaveLength(3);
    expect(refused).toEqual(Array.from({ length: 9 }, () => "sold_out"));
    expect(await counts(eventId)).toEqual({ seats: 3, participations: 3, orders: 3, tasks: 3 });
    const keys = await h.t.db.selectFrom("idempotencyKeys").select("key").where("key", "like", "rush-%").execute();
    expect(keys).toHaveLength(3);
  });

  it("two requests with one key at once: one hold; the other answers as its retry (same order)", async () => {
    const buyer = await makeActor(h.t.db);
    const { eventId, ticketTypeId } = await ticketed(10);
    const k = key(buyer, "twice");
    const attempt = () =>
      placeOrder(h.deps, buyer, eventId, { ticketTypeId, quantity: 1 }, {}, k).catch((e: unknown) => e as { code?: string });
    // Either request may be the one that holds; the loser either waited for the winner's key (same
    // order) or found it still working on it.
    const answers = (await Promise.all([attempt(), attempt()])) as { result?: { order: { id: string } | null }; code?: string }[];
    const orders = answers.flatMap((a) => (a.result ? [a.result.order?.id] : []));
    expect(orders.length).toBeGreaterThanOrEqual(1);
    expect(new Set(orders).size).toBe(1);
    for (const answer of answers) if (!answer.result) expect(answer.code).toBe("idempotency_key_in_progress");
    expect(await counts(eventId)).toEqual({ seats: 1, participations: 1, orders: 1, tasks: 1 });
  });
});
