// The organizer's attendee desk: the searchable participant list, the CSV export and comps.
export { eventParticipants, type ParticipantItem } from "./participants";
export { participantsCsv, csvField, CSV_HEADER } from "./csv";
export { createComp, type CompInput, type CompResult } from "./comps";
export type { AttendeeFilter } from "./query";
