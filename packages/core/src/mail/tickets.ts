// The tickets an order-confirmation mail carries. The message names them when it is written, in the
// transaction that activated the participation (its trigger issued them a moment before); their
// signed codes and QR images are made when it is sent. So the paying transaction never waits on the
// signing key (a secret fetched over the network), and a signing failure retries one message
// instead of rolling back a payment.
import type { Db } from "../db/client";
import type { Trx } from "../db/transaction";
import type { OutboxRow } from "./outbox.table";

/** What the outbox payload keeps of each ticket. */
export interface TicketRef {
  id: string;
  seat: number;
}

/** A ticket as the message shows it: its code, and the code's QR image inline. */
export interface MailTicket {
  id: string;
  holderName: string | null;
  code: string;
  /** `data:image/png;base64,…`: shows without a login, and PNG renders in more clients than SVG. */
  qrDataUri: string;
}

/** The participation's valid tickets, seat order; called in the transaction that writes the mail. */
export const ticketsForMail = (trx: Trx, participationId: string): Promise<TicketRef[]> =>
  trx
    .selectFrom("tickets")
    .select(["id", "seat"])
    .where("participationId", "=", participationId)
    .where("status", "=", "valid")
    .orderBy("seat")
    .execute();

/**
 * A QR image of `code` as a PNG data URI, with the same error correction and quiet zone as the
 * SVG the API serves; 6 px modules keep a ~300-byte code scannable from a phone held at the door.
 */
export async function qrPngDataUri(code: string): Promise<string> {
  const { default: QRCode } = await import("qrcode");
  return QRCode.toDataURL(code, { type: "image/png", errorCorrectionLevel: "M", margin: 4, scale: 6 });
}

/**
 * The message's tickets with codes signed now. A ticket voided since the mail was written (its
 * order was cancelled meanwhile) is left out: its code would only be refused at the door.
 */
export async function mailTickets(db: Db, row: Pick<OutboxRow, "kind" | "participationId" | "payload">): Promise<MailTicket[]> {
  const refs = (row.payload.tickets ?? []) as TicketRef[];
  if (row.kind !== "order_confirmed" || !row.participationId || refs.length === 0) return [];
  // Loaded on the first receipt only: the sender's other messages never pay for jose or qrcode.
  const { ticketsFor } = await import("../tickets");
  const current = new Map((await ticketsFor(db, [row.participationId])).get(row.participationId)?.map((t) => [t.id, t]));
  const valid = refs.flatMap((ref) => {
    const ticket = current.get(ref.id);
    return ticket?.status === "valid" ? [ticket] : [];
  });
  return Promise.all(valid.map(async (t) => ({ id: t.id, holderName: t.holderName, code: t.code, qrDataUri: await qrPngDataUri(t.code) })));
}
