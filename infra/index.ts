// The ordered stack list: sst.config.ts deploys it and tests/infra synthesizes it, so both see the same app.
import type { StackContext } from "sst/constructs";
import { Alarms } from "./alarms";
import { Alerts } from "./alerts";
import { Api } from "./api";
import { Database } from "./database";
import { Jobs } from "./jobs";
import { Migrations } from "./migrations";
import { Network } from "./network";
import { Secrets } from "./secrets";
import { TicketKeys } from "./ticket-keys";
import { Webhooks } from "./webhooks";

/**
 * Order matters: SST's `use()` only sees stacks registered before the caller. Migrations come
 * before every stack that ships handler code, and those stacks declare a dependency on it, so
 * CloudFormation migrates the schema before new code goes live.
 */
export const STACKS: readonly ((ctx: StackContext) => unknown)[] = [
  Network,
  Secrets,
  Alerts,
  TicketKeys,
  Database,
  Migrations,
  Webhooks,
  Api,
  Jobs,
  Alarms,
];

export { Alarms, Alerts, Api, Database, Jobs, Migrations, Network, Secrets, TicketKeys, Webhooks };
