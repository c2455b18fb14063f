// A buyer who found no seat joins the waitlist only of an event still on sale: the hold's "no seat"
// also covers an event cancelled between the buyer's read and the hold.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTransaction } from "@evently/core/db/transaction";
import { joinTicketWaitlist } from "@evently/core/payments/waitlist-orders";
import { makeActor } from "../../support/fixtures";
import { createPaidEvent } from "../../support/paid-event";
import { startPaymentsHarness, type PaymentsHarness } from "./harness";

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness();
});
afterAll(() => h.stop());

describe("joining the ticket waitlist", () => {
  it("answers not_on_sale for an event cancelled meanwhile, and writes nothing", async () => {
    const ev = await createPaidEvent(h.t.db, { capacity: 1 });
    await h.t.db.updateTable("events").set({ status: "cancelled" }).where("id", "=", ev.eventId).execute();
    const buyer = await makeActor(h.t.db);
    const join = useTransaction(h.t.db, (trx) =>
      joinTicketWaitlist(trx, h.deps, {
        eventId: ev.eventId,
        userId: buyer.userId,
        ticketTypeId: ev.ticketTypeId,
        quantity: 1,
        holdTtlSeconds: 900,
      }),
    );
    await expect(join).rejects.toMatchObject({ code: "not_on_sale" });
    const rows = await h.t.db.selectFrom("participations").select("id").where("eventId", "=", ev.eventId).execute();
    const mail = await h.t.db.selectFrom("outbox").select("id").where("recipientUserId", "=", buyer.userId).execute();
    expect(rows).toEqual([]);
    expect(mail).toEqual([]);
  });
});
