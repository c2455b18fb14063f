// The ticketing service: RSVPs, check-ins, participation dashboards, and the seat and waitlist
// primitives that orders, hold expiry and event cancellation build on.
import { fn } from "../shared/fn";
import * as checkIns from "./check-ins";
import * as dashboards from "./dashboards";
import * as promoCodes from "./promo-codes";
import * as rsvp from "./rsvp";
import * as ticketTypes from "./ticket-types";
export { RsvpBody, CancelRsvpBody, type RsvpInput, type CancelRsvpInput } from "./rsvp";
export { requireManagedEvent, type CheckInView, type CheckInResult, type CheckInInput } from "./check-ins";
export type { DashboardItem } from "./dashboards";
export type { Page, PageInput } from "../shared/page";
// The participant list moved to the attendee desk; re-exported for callers of the old path.
export { eventParticipants, type ParticipantItem } from "../attendees";
export {
  participationView,
  participationViews,
  participationViewOrThrow,
  selectParticipations,
  toParticipationView,
  paymentSummary,
  isoMicros,
  type ParticipationView,
  type PaymentSummary,
} from "./views";
export { takeSeats, releaseSeats, lockEventSeats, type SeatRequest } from "./seats";
export {
  transition,
  holdUntil,
  SEAT_HOLDING,
  fromId,
  fromUserAndEvent,
  nextWaitlisted,
  type Transition,
} from "./participations.repository";
export { promoteWaitlist, leaveWaitlist, type PromotionOptions } from "./waitlist";
export { listPromoCodes, CreatePromoCodeInput, UpdatePromoCodeInput } from "./promo-codes";
export { CreateTicketTypeInput, UpdateTicketTypeInput } from "./ticket-types";
export {
  PARTICIPATION_STATUSES,
  type Participation,
  type ParticipationKind,
  type ParticipationStatus,
  type CheckIn,
} from "./ticketing.table";

// Commands, each with the input schema its route validates by.
export const registerRsvp = fn(rsvp.RsvpBody, rsvp.registerRsvp);
export const cancelRsvp = fn(rsvp.CancelRsvpBody, rsvp.cancelRsvp);
export const checkIn = fn(checkIns.CheckInInput, checkIns.checkIn);
export const myParticipations = fn(dashboards.MyParticipationsInput, dashboards.myParticipations);
export const createTicketType = fn(ticketTypes.CreateTicketTypeInput, ticketTypes.createTicketType);
export const updateTicketType = fn(ticketTypes.UpdateTicketTypeInput, ticketTypes.updateTicketType);
export const createPromoCode = fn(promoCodes.CreatePromoCodeInput, promoCodes.createPromoCode);
export const updatePromoCode = fn(promoCodes.UpdatePromoCodeInput, promoCodes.updatePromoCode);
