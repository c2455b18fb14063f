// Every migration, in order. Imported statically so the deploy-time migrator bundle carries them.
import type { Migration } from "kysely";
import * as m0001 from "./0001_users";
import * as m0002 from "./0002_events";
import * as m0003 from "./0003_ticketing";
import * as m0004 from "./0004_participation_history";
import * as m0005 from "./0005_payments";
import * as m0006 from "./0006_payment_records";
import * as m0007 from "./0007_operations";
import * as m0008 from "./0008_participants_order_index";
import * as m0009 from "./0009_provider_tasks";
import * as m0010 from "./0010_app_role";
import * as m0011 from "./0011_tickets_and_staff";
import * as m0012 from "./0012_outbox_and_promos";
import * as m0013 from "./0013_one_statement_hold";
import * as m0014 from "./0014_one_statement_rsvp";

// Kysely runs migrations in the order of their names, hence the zero-padded numbers.
export const migrations: Record<string, Migration> = {
  "0001_users": m0001,
  "0002_events": m0002,
  "0003_ticketing": m0003,
  "0004_participation_history": m0004,
  "0005_payments": m0005,
  "0006_payment_records": m0006,
  "0007_operations": m0007,
  "0008_participants_order_index": m0008,
  "0009_provider_tasks": m0009,
  "0010_app_role": m0010,
  "0011_tickets_and_staff": m0011,
  "0012_outbox_and_promos": m0012,
  "0013_one_statement_hold": m0013,
  "0014_one_statement_rsvp": m0014,
};
