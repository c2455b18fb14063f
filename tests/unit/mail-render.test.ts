// Rendering: every kind renders text and HTML naming the event and its time in the event's zone;
// HTML escapes what organizers and buyers typed; an unknown zone falls back to labelled UTC.
import { describe, expect, it } from "vitest";
import { eventTime, money } from "@evently/core/mail/format";
import { MAIL_KINDS, type OutboxRow } from "@evently/core/mail/outbox.table";
import { renderMail } from "@evently/core/mail/render";

const EVENT_ID = "5f1c2d7e-8a3b-4c1d-9e2f-0a1b2c3d4e5f";
const ORDER_ID = "0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";

function row(kind: OutboxRow["kind"], title = "Knots <b>101</b> & more", timezone = "Australia/Sydney"): OutboxRow {
  return {
    id: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
    kind,
    recipient: "ann@example.test",
    recipientUserId: null,
    dedupeKey: "k",
    status: "pending",
    attempts: 0,
    lockedUntil: null,
    sendingSince: null,
    sentAt: null,
    providerMessageId: null,
    lastError: null,
    eventId: EVENT_ID,
    participationId: null,
    orderId: ORDER_ID,
    refundId: null,
    createdAt: new Date(),
    payload: {
      event: {
        id: EVENT_ID,
        title,
        startsAt: "2030-01-15T08:00:00.000Z",
        endsAt: "2030-01-15T10:00:00.000Z",
        timezone,
        location: "Pier 1 <east>",
      },
      participation: { id: "p", kind: "ticket", status: "pending", quantity: 2, holdExpiresAt: "2030-01-10T08:15:00.000Z" },
      order: { id: ORDER_ID, quantity: 2, amountMinor: 5000, currency: "AUD", ticketTypeName: "General" },
      tickets: [],
      refund: { id: "r", amountMinor: 1000, currency: "EUR", reason: "Goodwill" },
      reason: null,
      previous: { startsAt: "2030-01-14T08:00:00.000Z", endsAt: "2030-01-14T10:00:00.000Z", location: null },
    },
  };
}

describe("renderMail", () => {
  it.each(MAIL_KINDS)("%s: subject, text and HTML name the event and its local time, with links", (kind) => {
    const mail = renderMail(row(kind), "https://app.test/");
    // 08:00 UTC in January is 19:00 in Sydney (AEDT, GMT+11).
    expect(mail.text).toContain("19:00 GMT+11");
    expect(mail.text).toContain("Knots <b>101</b> & more");
    expect(mail.text).toContain(`https://app.test/events/${EVENT_ID}`);
    expect(mail.subject).not.toMatch(/\n/);
    expect(mail.html).toContain("Knots &lt;b&gt;101&lt;/b&gt; &amp; more");
    expect(mail.html).not.toContain("<b>101</b>");
    expect(mail.html).toContain("Pier 1 &lt;east&gt;");
  });

  it("an unknown timezone renders in UTC, labelled, rather than failing the send", () => {
    expect(eventTime("2030-01-15T08:00:00.000Z", "Mars/Olympus_Mons")).toContain("08:00 UTC");
  });

  it("money from minor units in the order's currency", () => {
    expect(money(2880, "USD")).toBe("$28.80");
    expect(money(1500, "EUR")).toBe("€15.00");
  });
});
