// The participant export: RFC 4180 CSV in UTF-8, produced batch by batch so memory stays bounded
// by one batch whatever the event's size.
import type * as z from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { managedEvent } from "../events/access";
import { parseInput } from "../shared/validation";
import { attendeeRows, AttendeeFilter, type AttendeeRow } from "./query";

export const CSV_HEADER = [
  "name",
  "email",
  "status",
  "ticket_type",
  "quantity",
  "amount_paid",
  "currency",
  "payment_status",
  "checked_in_at",
  "order_id",
];

/**
 * One field. Quoted when it holds a comma, quote, CR or LF (RFC 4180); a text cell that a
 * spreadsheet would run as a formula (= + - @, tab, CR first) is prefixed with ' (OWASP CSV injection).
 */
export function csvField(value: string | number | null, text = false): string {
  if (value === null) return "";
  let s = String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Every currency we take has two decimals: 2500 → "25.00". */
const major = (minor: number | null) =>
  minor === null ? null : `${Math.trunc(minor / 100)}.${String(Math.abs(minor) % 100).padStart(2, "0")}`;

const line = (fields: string[]) => `${fields.join(",")}\r\n`;

export const csvRow = (r: AttendeeRow): string =>
  line([
    csvField(r.name, true),
    csvField(r.email, true),
    csvField(r.status),
    csvField(r.ticketTypeName, true),
    csvField(r.quantity),
    csvField(major(r.amountPaidMinor ?? null)),
    csvField(r.currency ?? null),
    csvField(r.paymentStatus ?? null),
    csvField(r.checkedInAt),
    csvField(r.orderId),
  ]);

/**
 * The event's participants as CSV chunks: the header, then one chunk per batch of `batchSize`
 * rows read by keyset (never OFFSET, never all at once). The caller checks nothing else: access
 * is checked here, before the first chunk.
 */
export async function participantsCsv(
  db: Db,
  actor: Actor,
  input: z.input<typeof AttendeeFilter>,
  batchSize = 1000,
): Promise<AsyncIterable<string>> {
  const filter = parseInput(AttendeeFilter, input);
  await managedEvent(db, actor, filter.eventId);
  return (async function* () {
    yield line(CSV_HEADER);
    let after: { key: string; id: string } | undefined;
    for (;;) {
      const rows = await attendeeRows(db, filter, after, batchSize);
      if (rows.length > 0) yield rows.map(csvRow).join("");
      const last = rows.at(-1);
      if (!last || rows.length < batchSize) return;
      after = { key: last.sortKey, id: last.id };
    }
  })();
}
