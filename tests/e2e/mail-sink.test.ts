// Mail end to end, as the README walks it: requests over HTTP against `npm start`'s runtime, the
// outbox → mail queue → sender → local sink, and each message read back from GET /messages.
import Stripe from "stripe";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually } from "../support/paid-event";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let rt: TestRuntime;
let stripe: Stripe;
beforeAll(async () => {
  rt = await startTestRuntime();
  const base = new URL(rt.stripeSandbox!.url);
  stripe = new Stripe("sk_test_e2e", { host: base.hostname, port: Number(base.port), protocol: "http" });
});
afterAll(() => rt.stop());

const organizer = { sub: "e2e-mail-organizer", role: "organizer" as const };
const alice = { sub: "e2e-mail-alice" };
const bob = { sub: "e2e-mail-bob" };
const email = (who: { sub: string }) => `${who.sub}@example.test`;

async function json(method: string, path: string, as?: { sub: string; role?: "organizer" }, body?: unknown) {
  const res = await rt.call(method, path, { ...(as ? { as } : {}), ...(body !== undefined ? { body } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Mail {
  id: string;
  to: string;
  kind: string;
  subject: string;
  text: string;
  html: string;
  refs: Record<string, string>;
}
const inbox = async (to: string): Promise<Mail[]> =>
  ((await (await fetch(`${rt.mailSink.url}/messages?to=${encodeURIComponent(to)}`)).json()) as { items: Mail[] }).items;
/** Waits (bounded) until `to` has a message of `kind`; returns it. */
const arrives = (to: string, kind: string) => eventually(async () => (await inbox(to)).find((m) => m.kind === kind));

it("RSVP, waitlist and promotion mail arrive in the sink, newest first, each once", async () => {
  const startsAt = new Date(Date.now() + 10 * 86_400_000);
  const created = await json("POST", "/events", organizer, {
    title: "Mail walkthrough",
    kind: "rsvp",
    capacity: 1,
    waitlistEnabled: true,
    timezone: "Europe/Paris",
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
  });
  const eventId = created.body.id as string;
  await json("POST", `/events/${eventId}/publish`, organizer);
  await json("POST", `/events/${eventId}/rsvp`, alice);
  await json("POST", `/events/${eventId}/rsvp`, bob);
  expect((await arrives(email(alice), "rsvp_confirmed")).refs.eventId).toBe(eventId);
  await arrives(email(bob), "waitlist_joined");
  await json("DELETE", `/events/${eventId}/rsvp`, alice);
  const promoted = await arrives(email(bob), "waitlist_promoted");
  expect(promoted.subject).toContain("Mail walkthrough");
  const bobs = await inbox(email(bob));
  expect(bobs.map((m) => m.kind)).toEqual(["waitlist_promoted", "waitlist_joined"]);
  const one = (await (await fetch(`${rt.mailSink.url}/messages/${promoted.id}`)).json()) as Mail;
  expect(one).toMatchObject({ id: promoted.id, to: email(bob), kind: "waitlist_promoted" });
  expect((await fetch(`${rt.mailSink.url}/messages/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  await rt.mailQueue.idle({ timeoutMs: 10_000 });
  const rows = await rt.db.selectFrom("outbox").select(["status"]).where("eventId", "=", eventId).execute();
  expect(rows.every((r) => r.status === "sent")).toBe(true);
});

it("a paid ticket: order_confirmed after the payment, then refund_issued after cancellation", async () => {
  const startsAt = new Date(Date.now() + 10 * 86_400_000);
  const created = await json("POST", "/events", organizer, {
    title: "Paid mail walkthrough",
    kind: "ticketed",
    capacity: 5,
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
  });
  const eventId = created.body.id as string;
  const type = await json("POST", `/events/${eventId}/ticket-types`, organizer, { name: "General", priceMinor: 1500, currency: "EUR" });
  await json("POST", `/events/${eventId}/publish`, organizer);
  const res = await rt.call("POST", `/events/${eventId}/orders`, {
    as: alice,
    body: { ticketTypeId: type.body.id, quantity: 1 },
    headers: { "idempotency-key": "mail-e2e-order" },
  });
  const order = (await res.json()) as { order: { id: string }; payment: { providerPaymentId: string } };
  await stripe.paymentIntents.confirm(order.payment.providerPaymentId, { payment_method: "pm_card_visa" });
  const receipt = await arrives(email(alice), "order_confirmed");
  expect(receipt.refs.orderId).toBe(order.order.id);
  expect(receipt.text).toContain("€15.00");
  await json("POST", `/orders/${order.order.id}/cancel`, organizer, { reason: "Organizer cancelled this order" });
  await arrives(email(alice), "order_cancelled");
  await arrives(email(alice), "refund_issued");
});
