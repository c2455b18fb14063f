// Waitlist promotion (docs/ARCHITECTURE.md, invariant 5): freed seats go to the oldest waitlisted participation,
// in the transaction that freed them. RSVPs become active; tickets become a new seat hold.
import type { Trx } from "../db/transaction";
import { nextWaitlisted, transition } from "./participations.repository";
import { takeSeats } from "./seats";
import type { Participation } from "./ticketing.table";

export interface PromotionOptions {
  holdTtlSeconds: number;
  /** Called for each ticket promotion inside the transaction (payments creates the order). */
  onTicketHold?: (trx: Trx, participation: Participation) => Promise<void>;
}

/**
 * Promotes strictly in order: when the head of the queue does not fit, nobody behind it jumps
 * ahead. Returns the promoted participations.
 */
export async function promoteWaitlist(trx: Trx, eventId: string, options: PromotionOptions): Promise<Participation[]> {
  const promoted: Participation[] = [];
  for (;;) {
    const next = await nextWaitlisted(trx, eventId);
    if (!next) break;
    const seats = { eventId, ticketTypeId: next.ticketTypeId, quantity: next.quantity };
    if (!(await takeSeats(trx, seats))) break;
    const ticket = next.kind === "ticket";
    const moved = await transition(trx, next.id, {
      from: ["waitlisted"],
      to: ticket ? "pending" : "active",
      holdTtlSeconds: options.holdTtlSeconds,
    });
    if (!moved) throw new Error(`waitlisted participation ${next.id} changed while locked`);
    if (ticket) await options.onTicketHold?.(trx, moved);
    promoted.push(moved);
  }
  return promoted;
}
