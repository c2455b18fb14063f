// The organizer cancels a waitlisted buyer whose earlier hold expired long ago: the buyer hears that
// their place is cancelled, never an order_cancelled about that old order.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expireHolds } from "@evently/core/jobs/expire-holds";
import { cancelParticipant } from "@evently/core/payments/order-lifecycle";
import { createOrder } from "@evently/core/payments/orders";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { paidOrder, startPaymentsHarness, type PaymentsHarness } from "./harness";

let h: PaymentsHarness;
let org: TestActor;
beforeAll(async () => {
  h = await startPaymentsHarness();
  org = await makeActor(h.t.db, { role: "organizer" });
});
afterAll(() => h.stop());

const orderCancelledMails = async (userId: string) =>
  (await h.t.db.selectFrom("outbox").select("id").where("recipientUserId", "=", userId).where("kind", "=", "order_cancelled").execute())
    .length;

describe("cancelling a waitlisted participant", () => {
  it("mails no order_cancelled about an order that ended before", async () => {
    const event = await makeEvent(h.t.db, org, { kind: "ticketed", capacity: 1, waitlistEnabled: true, startsAt: inDays(20) });
    const type = await makeTicketType(h.t.db, org, event.id, { priceMinor: 2500 });
    const [buyer, other] = [await makeActor(h.t.db), await makeActor(h.t.db)];
    // Their first hold lapses unpaid (hold_expired, not order_cancelled), and someone else buys the seat.
    await createOrder({ ...h.deps, holdTtlSeconds: 1 }, buyer, event.id, { ticketTypeId: type.id, quantity: 1 });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await expireHolds(h.deps, { batchSize: 10 })).toMatchObject({ expired: 1 });
    await paidOrder(h, other, event.id, type.id, 1);
    const queued = await createOrder(h.deps, buyer, event.id, { ticketTypeId: type.id, quantity: 1 });
    expect(queued.participation.status).toBe("waitlisted");

    await cancelParticipant(h.deps, org, event.id, queued.participation.id, { reason: "Removed from the waitlist by the organizer" });
    expect(await orderCancelledMails(buyer.userId)).toBe(0);
  });
});
