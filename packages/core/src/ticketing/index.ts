// The ticketing service: RSVPs, check-ins, participation dashboards, and the seat and waitlist
// primitives that orders, hold expiry and event cancellation build on.
export { registerRsvp, cancelRsvp, type RsvpInput, type CancelRsvpInput } from "./rsvp";
export { checkIn, requireManagedEvent, type CheckInView, type CheckInResult } from "./check-ins";
export {
  myParticipations,
  eventParticipants,
  type DashboardItem,
  type ParticipantItem,
  type Page,
  type PageInput,
} from "./dashboards";
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
export { promoteWaitlist, type PromotionOptions } from "./waitlist";
export type { Participation, ParticipationKind, ParticipationStatus, CheckIn } from "./ticketing.table";
