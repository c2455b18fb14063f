// order_confirmed carries the order's tickets: the paying transaction names them in the outbox
// payload, the sender signs their codes and inlines each QR image, so the mail works without a
// login. Each code verifies, with the tickets' own verifier, to the ticket it names.
import { Resvg } from "@resvg/resvg-js";
import jsQR from "jsqr";
import { expect, it } from "vitest";
import { cancelOrder } from "@evently/core/payments/order-lifecycle";
import { ticketCodes, updateTicketHolder } from "@evently/core/tickets";
import { makeActor, makeEvent, makeTicketType } from "../../support/fixtures";
import { paidOrder } from "../payments/harness";
import { outboxOf, paymentsWithOrganizer, recordingMailer, sendPending } from "./support";

const ctx = paymentsWithOrganizer();

async function paidTickets(quantity: number) {
  const { h, organizer } = ctx;
  const event = await makeEvent(h.t.db, organizer, { kind: "ticketed", capacity: 10 });
  const type = await makeTicketType(h.t.db, organizer, event.id, { priceMinor: 2500 });
  const buyer = await makeActor(h.t.db);
  const paid = await paidOrder(h, buyer, event.id, type.id, quantity);
  const tickets = await h.t.db
    .selectFrom("tickets")
    .select(["id", "seat"])
    .where("participationId", "=", paid.participationId)
    .where("status", "=", "valid")
    .orderBy("seat")
    .execute();
  return { eventId: event.id, buyer, paid, tickets };
}

/** The pixels of a PNG data URI, drawn the way a mail client would: inside an HTML-ish document. */
function decodeQr(dataUri: string): string | undefined {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><image href="${dataUri}" width="600" height="600"/></svg>`;
  const png = new Resvg(svg, { background: "white" }).render();
  return jsQR(new Uint8ClampedArray(png.pixels), png.width, png.height)?.data;
}

it("a paid order's receipt lists each ticket with a code that verifies to it and an inline QR image of that code", async () => {
  const { h } = ctx;
  const { eventId, buyer, paid, tickets } = await paidTickets(2);
  expect(tickets).toHaveLength(2);
  const [row] = (await outboxOf(h.t.db, "order_confirmed")).filter((m) => m.orderId === paid.orderId);
  expect(row!.payload.tickets).toEqual(tickets);
  await updateTicketHolder(h.t.db, buyer, tickets[1]!.id, { holderName: "Grace Hopper" });

  const mailer = recordingMailer();
  await sendPending(h.t.db, mailer);
  const receipt = mailer.sent.find((m) => m.kind === "order_confirmed" && m.refs.orderId === paid.orderId)!;
  const codes = [...receipt.text.matchAll(/^Ticket \d+(?: \(.*\))?: (\S+)$/gm)].map((m) => m[1]!);
  expect(codes).toHaveLength(2);
  const verifier = await ticketCodes();
  expect(await Promise.all(codes.map((code) => verifier.verify(code, eventId)))).toEqual(tickets.map((t) => t.id));
  expect(receipt.text).toContain("Ticket 2 (Grace Hopper): ");

  // Each image is inline (no login needed to see it) and scans as that ticket's code.
  expect(receipt.html).not.toContain("qr.svg");
  const images = [...receipt.html.matchAll(/<img [^>]*src="(data:image\/png;base64,[A-Za-z0-9+/=]+)"/g)].map((m) => m[1]!);
  expect(images.map(decodeQr)).toEqual(codes);
  for (const code of codes) expect(receipt.html).toContain(`<code style="word-break:break-all">${code}</code>`);
});

it("a ticket voided before the receipt goes out is left out of it: its code would be refused at the door", async () => {
  const { h } = ctx;
  const { buyer, paid, tickets } = await paidTickets(1);
  await cancelOrder(h.deps, buyer, paid.orderId);
  // The receipt was written naming the ticket; the cancellation voided it before the send.
  const [row] = (await outboxOf(h.t.db, "order_confirmed")).filter((m) => m.orderId === paid.orderId);
  expect(row!.payload.tickets).toEqual(tickets);
  const mailer = recordingMailer();
  await sendPending(h.t.db, mailer);
  const receipt = mailer.sent.find((m) => m.kind === "order_confirmed" && m.refs.orderId === paid.orderId)!;
  expect(receipt.text).not.toMatch(/^Ticket \d/m);
  expect(receipt.html).not.toContain("<img");
});
