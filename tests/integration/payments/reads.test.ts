// Payment reads and the payment routes over HTTP (the local API server in front of the real
// handlers): who may see a payment, /me/payments order and pages, refunds with Idempotency-Key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPayment, myPayments } from "@evently/core/payments/payment-views";
import { setDb } from "@evently/functions/lib/db";
import { routes } from "@evently/functions/routes";
import { startApiServer, type ApiServer } from "@evently/local/server/http-server";
import { signLocalToken } from "@evently/local/tokens";
import { inDays, makeActor, makeEvent, makeTicketType, type TestActor } from "../../support/fixtures";
import { paidOrder, settleRefunds, startPaymentsHarness, type PaidOrder, type PaymentsHarness } from "./harness";

let h: PaymentsHarness;
let api: ApiServer;
let org: TestActor;
let otherOrg: TestActor;
let admin: TestActor;
let buyer: TestActor;
let other: TestActor;
let eventId: string;
let ticketTypeId: string;
let paid: PaidOrder;

beforeAll(async () => {
  h = await startPaymentsHarness();
  setDb(h.t.db);
  api = await startApiServer({ routes, port: 0 });
  [org, otherOrg, admin, buyer, other] = await Promise.all([
    makeActor(h.t.db, { role: "organizer" }),
    makeActor(h.t.db, { role: "organizer" }),
    makeActor(h.t.db, { role: "admin" }),
    makeActor(h.t.db),
    makeActor(h.t.db),
  ]);
  const event = await makeEvent(h.t.db, org, { kind: "ticketed", capacity: 50, startsAt: inDays(20) });
  eventId = event.id;
  ticketTypeId = (await makeTicketType(h.t.db, org, eventId, { priceMinor: 2500 })).id;
  paid = await paidOrder(h, buyer, eventId, ticketTypeId);
});
afterAll(async () => {
  await api.close();
  await h.stop();
});

async function call(method: string, path: string, as: TestActor, options: { body?: unknown; key?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${await signLocalToken(as.as)}`, "user-agent": "reads-test" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.key !== undefined) headers["idempotency-key"] = options.key;
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe("GET /payments/{paymentId}", () => {
  it("shows the buyer, the organizer and an admin the payment with its ledger and audit", async () => {
    for (const who of [buyer, org, admin]) {
      const res = await call("GET", `/payments/${paid.paymentId}`, who);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: paid.paymentId,
        orderId: paid.orderId,
        eventId,
        status: "completed",
        amountMinor: 2500,
        currency: "USD",
        refundedMinor: 0,
        processedAt: expect.any(String),
        createdAt: expect.any(String),
        transactions: [{ type: "payment", amountMinor: 2500, currency: "USD", status: "completed", processedAt: expect.any(String) }],
        refunds: [],
      });
      const audit = res.body.audit as Record<string, unknown>[];
      expect(audit.map((a) => a.actionType)).toEqual(["PaymentInitiated", "PaymentProcessed", "PaymentCompleted"]);
      // Where a request came from is for admins only.
      expect(audit.some((a) => "ipAddress" in a)).toBe(who === admin);
    }
  });

  it("is 404 for another member, another event's organizer, unknown and malformed ids", async () => {
    expect((await call("GET", `/payments/${paid.paymentId}`, other)).body).toMatchObject({ status: 404, code: "not_found" });
    expect((await call("GET", `/payments/${paid.paymentId}`, otherOrg)).status).toBe(404);
    expect((await call("GET", `/payments/${crypto.randomUUID()}`, admin)).status).toBe(404);
    expect((await call("GET", "/payments/not-a-uuid", admin)).status).toBe(404);
    await expect(getPayment(h.deps, other, paid.paymentId)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("POST /payments/{paymentId}/refunds", () => {
  it("answers 202 processing, replays a retry, refuses a reused key, members and too much", async () => {
    const body = { amountMinor: 1000, reason: "Seat had an obstructed view" };
    const first = await call("POST", `/payments/${paid.paymentId}/refunds`, org, { body, key: "refund-1" });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      paymentId: paid.paymentId,
      amountMinor: 1000,
      currency: "USD",
      reason: body.reason,
      status: "processing",
    });
    const retry = await call("POST", `/payments/${paid.paymentId}/refunds`, org, { body, key: "refund-1" });
    expect(retry).toMatchObject({ status: 202, body: first.body });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(
      (await call("POST", `/payments/${paid.paymentId}/refunds`, org, { body: { ...body, amountMinor: 999 }, key: "refund-1" })).body,
    ).toMatchObject({ status: 422, code: "idempotency_key_reused" });
    expect(await h.t.db.selectFrom("refunds").select("id").where("paymentId", "=", paid.paymentId).execute()).toHaveLength(1);

    const tooMuch = await call("POST", `/payments/${paid.paymentId}/refunds`, org, {
      body: { ...body, amountMinor: 1501 },
      key: "refund-2",
    });
    expect(tooMuch).toMatchObject({ status: 409, body: { code: "refund_exceeds_payment" } });
    expect(tooMuch.headers.get("content-type")).toContain("application/problem+json");
    expect((await call("POST", `/payments/${paid.paymentId}/refunds`, buyer, { body, key: "refund-3" })).status).toBe(403);
    expect((await call("POST", `/payments/${paid.paymentId}/refunds`, otherOrg, { body, key: "refund-4" })).status).toBe(404);
    expect((await call("POST", `/payments/${paid.paymentId}/refunds`, org, { body })).body).toMatchObject({
      status: 400,
      code: "idempotency_key_required",
    });
    const invalid = await call("POST", `/payments/${paid.paymentId}/refunds`, org, {
      body: { amountMinor: "10", reason: "short", extra: 1 },
      key: "refund-5",
    });
    expect(invalid.status).toBe(400);
    expect((invalid.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(["", "amountMinor", "reason"]);

    await settleRefunds(h, [first.body.id as string]);
    const after = await call("GET", `/payments/${paid.paymentId}`, buyer);
    expect(after.body).toMatchObject({
      status: "partially_refunded",
      refundedMinor: 1000,
      refunds: [{ id: first.body.id, status: "completed" }],
    });
    expect((after.body.transactions as { type: string }[]).map((t) => t.type)).toEqual(["payment", "refund"]);
  });
});

describe("GET /me/payments", () => {
  it("lists only the caller's payments, newest first, in pages that neither skip nor repeat", async () => {
    const shopper = await makeActor(h.t.db);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const event = await makeEvent(h.t.db, org, { kind: "ticketed", capacity: 5, startsAt: inDays(10 + i) });
      const type = await makeTicketType(h.t.db, org, event.id, { priceMinor: 1000 + i });
      ids.push((await paidOrder(h, shopper, event.id, type.id)).paymentId);
    }
    const newestFirst = [...ids].reverse();
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: Record<string, unknown> } = await call(
        "GET",
        `/me/payments?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        shopper,
      );
      expect(res.status).toBe(200);
      pages.push((res.body.items as { id: string }[]).map((p) => p.id));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);

    const mine = await myPayments(h.deps, buyer, { limit: 20 });
    expect(mine.items.map((p) => p.id)).toEqual([paid.paymentId]);
    expect(mine.nextCursor).toBeNull();
    expect((await call("GET", "/me/payments?limit=0", shopper)).status).toBe(400);
    expect((await call("GET", "/me/payments?cursor=bogus", shopper)).body).toMatchObject({ status: 400, code: "validation_failed" });
  });
});
