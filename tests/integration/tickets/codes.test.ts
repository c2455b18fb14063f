// Ticket codes over HTTP: the QR image decodes back to the ticket's code, the JWKS verifies it
// offline, and forged, tampered, other-event and rotated-out codes are 422 invalid_ticket_code.
import { Resvg } from "@resvg/resvg-js";
import { compactVerify, createLocalJWKSet, CompactSign, importJWK } from "jose";
import jsQR from "jsqr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTicketKey, type TicketKeySet } from "@evently/core/tickets/keys";
import { makeActor, makeEvent, type TestActor } from "../../support/fixtures";
import { call } from "../../support/participation-fixtures";
import { startTestRuntime, type TestRuntime } from "../../support/runtime";
import { serveTicketKeys } from "../../support/tickets";

let rt: TestRuntime;
let org: TestActor;
let keys: TicketKeySet;
beforeAll(async () => {
  keys = { current: await generateTicketKey("k1"), previous: null };
  serveTicketKeys(keys);
  rt = await startTestRuntime();
  org = await makeActor(rt.db, { role: "organizer" });
});
afterAll(() => rt.stop());

interface Ticket {
  id: string;
  eventId: string;
  code: string;
  status: string;
}

/** A member RSVPs to a new event; their ticket as GET /me/tickets shows it. */
async function rsvpTicket(): Promise<{ eventId: string; holder: TestActor; ticket: Ticket }> {
  const event = await makeEvent(rt.db, org);
  const holder = await makeActor(rt.db);
  expect((await call(rt, "POST", `/events/${event.id}/rsvp`, holder)).status).toBe(201);
  const mine = await call(rt, "GET", "/me/tickets", holder);
  const [ticket] = mine.body.items as Ticket[];
  return { eventId: event.id, holder, ticket: ticket! };
}

const scan = (eventId: string, code: string) => call(rt, "POST", `/events/${eventId}/check-ins`, org, { code });
const b64 = (s: string) => Buffer.from(s).toString("base64url");

describe("ticket codes", () => {
  it("the QR image renders to pixels that a QR decoder reads back as the ticket's code", async () => {
    const { holder, ticket } = await rsvpTicket();
    const res = await rt.call("GET", `/tickets/${ticket.id}/qr.svg`, { as: holder.as });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    const png = new Resvg(await res.text(), { fitTo: { mode: "width", value: 600 }, background: "white" }).render();
    const decoded = jsQR(new Uint8ClampedArray(png.pixels), png.width, png.height);
    expect(decoded?.data).toBe(ticket.code);
  });

  it("the public JWKS verifies a code offline and names the ticket and event; it holds no private key", async () => {
    const { eventId, ticket } = await rsvpTicket();
    const jwks = await call(rt, "GET", "/.well-known/ticket-keys");
    expect(jwks.status).toBe(200);
    const published = jwks.body.keys as Record<string, unknown>[];
    expect(published).toEqual([{ kty: "OKP", crv: "Ed25519", x: keys.current.x, kid: "k1", alg: "EdDSA", use: "sig" }]);
    const { payload, protectedHeader } = await compactVerify(ticket.code, createLocalJWKSet({ keys: published }));
    expect(protectedHeader).toEqual({ alg: "EdDSA", kid: "k1" });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ t: ticket.id, e: eventId });
  });

  it("refuses forged, tampered and other-event codes with 422 invalid_ticket_code, checking nothing in", async () => {
    const { eventId, ticket } = await rsvpTicket();
    const other = await rsvpTicket();
    const [header, payload, signature] = ticket.code.split(".");
    const forger = await generateTicketKey("k1"); // our kid, someone else's key
    const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify({ t: ticket.id, e: eventId })))
      .setProtectedHeader({ alg: "EdDSA", kid: "k1" })
      .sign(await importJWK(forger, "EdDSA"));
    const tampered = `${header}.${b64(JSON.stringify({ t: other.ticket.id, e: eventId }))}.${signature}`;
    const unsigned = `${b64(JSON.stringify({ alg: "none" }))}.${payload}.`;
    for (const code of [forged, tampered, unsigned, "not-a-code", other.ticket.code]) {
      expect(await scan(eventId, code)).toMatchObject({ status: 422, body: { code: "invalid_ticket_code" } });
    }
    const checked = await rt.db
      .selectFrom("tickets")
      .select("id")
      .where("eventId", "in", [eventId, other.eventId])
      .where("checkedInAt", "is not", null)
      .execute();
    expect(checked).toEqual([]);
  });

  it("after a rotation codes of the previous key still scan; after a second one they are refused", async () => {
    const { eventId, holder, ticket } = await rsvpTicket();
    const rotated: TicketKeySet = { current: await generateTicketKey("k2"), previous: keys.current };
    serveTicketKeys(rotated);
    try {
      const jwks = await call(rt, "GET", "/.well-known/ticket-keys");
      expect((jwks.body.keys as { kid: string }[]).map((k) => k.kid)).toEqual(["k2", "k1"]);
      // New reads sign with the new key; the old code is still good.
      const [fresh] = (await call(rt, "GET", "/me/tickets", holder)).body.items as Ticket[];
      expect(fresh!.code).not.toBe(ticket.code);
      expect((await scan(eventId, ticket.code)).status).toBe(201);
      serveTicketKeys({ current: await generateTicketKey("k3"), previous: rotated.current });
      expect(await scan(eventId, ticket.code)).toMatchObject({ status: 422, body: { code: "invalid_ticket_code" } });
      expect(await scan(eventId, fresh!.code)).toMatchObject({ status: 200, body: { ticketId: ticket.id } });
    } finally {
      serveTicketKeys(keys);
    }
  });
});
