// The message templates, text and HTML, one pair per kind (rendered by eta; HTML auto-escaped).
// Each names the event, its time in the event's timezone, and what the recipient can do next.
import type { MailKind } from "./outbox.table";

export interface Template {
  subject: string;
  text: string;
  html: string;
}

// Shared pieces. `it.when` is the start in the event's timezone; `it.links` are absolute URLs.
export const PARTIALS = {
  "@event-text": `<%= it.event.title %>
When: <%= it.when %>
<% if (it.event.location) { %>Where: <%= it.event.location %>
<% } %>Event: <%= it.links.event %>`,
  "@event-html": `<p><strong><%= it.event.title %></strong><br>When: <%= it.when %><% if (it.event.location) { %><br>Where: <%= it.event.location %><% } %><br><a href="<%= it.links.event %>">View the event</a></p>`,
  "@layout-html": `<!doctype html><html><body style="font-family:sans-serif"><%~ it.body %><p style="color:#666">Evently</p></body></html>`,
};

const both = (text: string, html: string, subject: string): Template => ({
  subject,
  text: `${text}\n\n<%~ include("@event-text", it) %>\n`,
  html: `<p>${html}</p><%~ include("@event-html", it) %>`,
});

export const TEMPLATES: Record<MailKind, Template> = {
  rsvp_confirmed: both(
    `You're going. Can't make it after all? Cancel your RSVP so someone on the waitlist gets your seat.`,
    `You're going. Can't make it after all? Cancel your RSVP so someone on the waitlist gets your seat.`,
    `You're going to <%= it.event.title %>`,
  ),
  waitlist_joined: both(
    `The event is full, so you are on its waitlist. We will email you as soon as a seat frees up for you. Changed your mind? Leave the waitlist at any time: <%= it.links.event %>/waitlist`,
    `The event is full, so you are on its waitlist. We will email you as soon as a seat frees up for you. Changed your mind? Leave the waitlist at any time.`,
    `You're on the waitlist for <%= it.event.title %>`,
  ),
  waitlist_promoted: both(
    `<% if (it.holdUntil) { %>Seats freed up and <%= it.participation.quantity %> are held for you until <%= it.holdUntil %>. Pay <%= it.total %> before then to keep them: <%= it.links.order %><% if (it.promoDropped) { %> (your promo code could no longer be applied)<% } %><% } else { %>A seat freed up and it is yours: you're going.<% } %>`,
    `<% if (it.holdUntil) { %>Seats freed up and <%= it.participation.quantity %> are held for you until <strong><%= it.holdUntil %></strong>. <a href="<%= it.links.order %>">Pay <%= it.total %></a> before then to keep them.<% if (it.promoDropped) { %> Your promo code could no longer be applied.<% } %><% } else { %>A seat freed up and it is yours: you're going.<% } %>`,
    `A seat is yours: <%= it.event.title %>`,
  ),
  order_confirmed: both(
    `Your order is confirmed: <%= it.order.quantity %> × <%= it.order.ticketTypeName %>, <%= it.total %>. Order: <%= it.links.order %>
<% if (it.tickets.length) { %>Show each ticket's QR code (in this mail's HTML version) or its code at the door:<% it.tickets.forEach(function (t, i) { %>
Ticket <%= i + 1 %><% if (t.holderName) { %> (<%= t.holderName %>)<% } %>: <%= t.code %><% }) %><% } else { %>Your tickets are in your account; show them at the door.<% } %>`,
    `Your order is confirmed: <%= it.order.quantity %> × <%= it.order.ticketTypeName %>, <%= it.total %>. <a href="<%= it.links.order %>">Your order</a>.</p><% if (it.tickets.length) { %><p>Show each ticket's QR code at the door:</p><ul><% it.tickets.forEach(function (t, i) { %><li>Ticket <%= i + 1 %><% if (t.holderName) { %> (<%= t.holderName %>)<% } %><br><img alt="QR code of ticket <%= i + 1 %>" width="240" src="<%= t.qrDataUri %>"><br><code style="word-break:break-all"><%= t.code %></code></li><% }) %></ul><% } else { %><p>Your tickets are in your account; show them at the door.<% } %>`,
    `Your tickets for <%= it.event.title %>`,
  ),
  hold_expired: both(
    `Your seat hold ran out before payment, so the seats were released and nothing was charged. Still want to go? Order again while seats remain: <%= it.links.event %>`,
    `Your seat hold ran out before payment, so the seats were released and nothing was charged. Still want to go? <a href="<%= it.links.event %>">Order again</a> while seats remain.`,
    `Your seats for <%= it.event.title %> were released`,
  ),
  order_cancelled: both(
    `Your order <%= it.links.order %> was cancelled. If you had paid, a full refund is on its way and we will email you when it is issued. Want to go after all? Order again while seats remain.`,
    `Your <a href="<%= it.links.order %>">order</a> was cancelled. If you had paid, a full refund is on its way and we will email you when it is issued. Want to go after all? Order again while seats remain.`,
    `Your order for <%= it.event.title %> was cancelled`,
  ),
  refund_issued: both(
    `We refunded <%= it.refund.amount %> (<%= it.refund.reason %>). It usually reaches your card within 5–10 business days; nothing else to do. Order: <%= it.links.order %>`,
    `We refunded <strong><%= it.refund.amount %></strong> (<%= it.refund.reason %>). It usually reaches your card within 5–10 business days; nothing else to do. <a href="<%= it.links.order %>">Your order</a>.`,
    `Refund issued: <%= it.event.title %>`,
  ),
  event_cancelled: both(
    `The organizer cancelled this event<% if (it.reason) { %> (<%= it.reason %>)<% } %>. Your place is cancelled; any payment is refunded in full automatically, and you will get an email when it is issued. Nothing else to do.`,
    `The organizer cancelled this event<% if (it.reason) { %> (<%= it.reason %>)<% } %>. Your place is cancelled; any payment is refunded in full automatically, and you will get an email when it is issued. Nothing else to do.`,
    `Cancelled: <%= it.event.title %>`,
  ),
  event_changed: both(
    `The organizer changed the time or place of this event (previously <%= it.previousWhen %><% if (it.previous.location) { %> at <%= it.previous.location %><% } %>). Your place is kept. Can't make the new time? Cancel so someone else can have your seat: <%= it.links.event %>`,
    `The organizer changed the time or place of this event (previously <%= it.previousWhen %><% if (it.previous.location) { %> at <%= it.previous.location %><% } %>). Your place is kept. Can't make the new time? Cancel so someone else can have your seat.`,
    `Changed: <%= it.event.title %>`,
  ),
  event_reminder: both(
    `This is a reminder: the event starts <%= it.when %>. Bring your ticket or the email confirming your place. Can't make it? Cancel so someone on the waitlist gets your seat: <%= it.links.event %>`,
    `This is a reminder: the event starts <strong><%= it.when %></strong>. Bring your ticket or the email confirming your place. Can't make it? Cancel so someone on the waitlist gets your seat.`,
    `Reminder: <%= it.event.title %> starts soon`,
  ),
};
