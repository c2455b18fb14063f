// Renders an outbox row into subject, text and HTML with eta: the HTML engine escapes every
// interpolated value, the text engine leaves text as written.
import { Eta } from "eta";
import { eventTime, money } from "./format";
import type { OutboxRow } from "./outbox.table";
import { PARTIALS, TEMPLATES } from "./templates";
import type { MailTicket } from "./tickets";

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

function engine(autoEscape: boolean, part: "text" | "html" | "subject"): Eta {
  const eta = new Eta({ autoEscape, autoTrim: false });
  for (const [name, src] of Object.entries(PARTIALS)) eta.loadTemplate(name, src);
  for (const [kind, t] of Object.entries(TEMPLATES)) eta.loadTemplate(`@${kind}`, t[part]);
  return eta;
}

// Compiled once per container; rendering is then a function call per message.
const engines = { subject: engine(false, "subject"), text: engine(false, "text"), html: engine(true, "html") };

interface Payload {
  event: { id: string; startsAt: string; timezone: string };
  order?: { id: string; amountMinor: number; currency: string } | null;
  refund?: { amountMinor: number; currency: string } | null;
  participation?: { holdExpiresAt: string | null } | null;
  previous?: { startsAt: string } | null;
}

/** What the sender prepares before rendering: what is made at send time rather than stored. */
export interface RenderExtras {
  /** order_confirmed: the tickets with their codes and QR images (mailTickets). */
  tickets?: readonly MailTicket[];
}

/** The view every template sees: the payload plus times in the event's zone, money and links. */
function view(row: OutboxRow, baseUrl: string, extras: RenderExtras) {
  const p = row.payload as unknown as Payload & Record<string, unknown>;
  const tz = p.event.timezone;
  const base = baseUrl.replace(/\/+$/, "");
  return {
    ...p,
    when: eventTime(p.event.startsAt, tz),
    previousWhen: p.previous ? eventTime(p.previous.startsAt, tz) : null,
    holdUntil: row.kind === "waitlist_promoted" && p.participation?.holdExpiresAt ? eventTime(p.participation.holdExpiresAt, tz) : null,
    total: p.order ? money(p.order.amountMinor, p.order.currency) : null,
    refund: p.refund ? { ...p.refund, amount: money(p.refund.amountMinor, p.refund.currency) } : null,
    tickets: extras.tickets ?? [],
    links: {
      base,
      event: `${base}/events/${p.event.id}`,
      order: row.orderId ? `${base}/orders/${row.orderId}` : `${base}/me/participations`,
    },
  };
}

export function renderMail(row: OutboxRow, baseUrl: string, extras: RenderExtras = {}): RenderedMail {
  const it = view(row, baseUrl, extras);
  const body = engines.html.render(`@${row.kind}`, it);
  return {
    subject: engines.subject.render(`@${row.kind}`, it).replace(/\s+/g, " ").trim(),
    text: engines.text.render(`@${row.kind}`, it),
    html: engines.html.render("@layout-html", { body }),
  };
}
