// The organizer's attendee desk: the searchable participant list, the CSV export and comps, each
// with the input schema its route validates by.
import { fn } from "../shared/fn";
import * as comps from "./comps";
import * as csv from "./csv";
import * as participants from "./participants";
import { AttendeeFilter } from "./query";

export const eventParticipants = fn(participants.ParticipantsInput, participants.eventParticipants);
export const participantsCsv = fn(AttendeeFilter, csv.participantsCsv);
export const createComp = fn(comps.CompInput, comps.createComp);

export type { ParticipantItem } from "./participants";
export { csvField, CSV_HEADER } from "./csv";
export type { CompInput, CompMeta, CompResult } from "./comps";
export type { AttendeeFilter } from "./query";
