// The ordered stack list: sst.config.ts deploys it and tests/infra synthesizes it, so both see the same app.
import type { StackContext } from "sst/constructs";
import { Alarms } from "./alarms";
import { Alerts } from "./alerts";
import { Api } from "./api";
import { ROUTE_STACKS } from "./api-routes";
import { ApiStage } from "./api-stage";
import { Database } from "./database";
import { Jobs } from "./jobs";
import { Mail } from "./mail";
import { Migrations } from "./migrations";
import { Network } from "./network";
import { ProviderTasks } from "./provider-tasks";
import { Secrets } from "./secrets";
import { TicketKeys } from "./ticket-keys";
import { Webhooks } from "./webhooks";

/**
 * Order matters: SST's `use()` only sees stacks registered before the caller. Migrations come
 * before every stack that ships handler code, and those stacks declare a dependency on it, so
 * CloudFormation migrates the schema before new code goes live. The route stacks (one per
 * handler folder, from routes.ts) sit between the API and its stage.
 */
export const STACKS: readonly ((ctx: StackContext) => unknown)[] = [
  Network,
  Secrets,
  Alerts,
  TicketKeys,
  Database,
  Migrations,
  // Before the consumers: they nudge the mail queue (their manifest entries name "mail-queue").
  Mail,
  ProviderTasks,
  Webhooks,
  Api,
  ...ROUTE_STACKS,
  ApiStage,
  Jobs,
  Alarms,
];

export {
  Alarms,
  Alerts,
  Api,
  ApiStage,
  Database,
  Jobs,
  Mail,
  Migrations,
  Network,
  ProviderTasks,
  ROUTE_STACKS,
  Secrets,
  TicketKeys,
  Webhooks,
};
