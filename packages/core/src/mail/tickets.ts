// The tickets an order-confirmation mail lists. Tickets (signed codes, QR images) are issued by the
// tickets domain; until it exists on this branch an order has none to list, and the mail says so.
import type { Trx } from "../db/transaction";

export interface MailTicket {
  id: string;
  holderName: string | null;
  code: string;
  /** A link to the ticket's QR image (GET /tickets/{id}/qr.svg). */
  qrPath: string;
}

/** The participation's valid tickets; [] until the tickets domain issues them. */
export async function ticketsForMail(_trx: Trx, _participationId: string): Promise<MailTicket[]> {
  return [];
}
