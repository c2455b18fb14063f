// The stacks every function-owning stack reads its grants from (AccessDeps), looked up once here.
import { use } from "sst/constructs";
import type { AccessDeps } from "./access";
import { Database } from "./database";
import { Mail } from "./mail";
import { Network } from "./network";
import { ProviderTasks } from "./provider-tasks";
import { Secrets } from "./secrets";
import { TicketKeys } from "./ticket-keys";
import { Webhooks } from "./webhooks";

export const useAccessDeps = (): AccessDeps => ({
  network: use(Network),
  database: use(Database),
  secrets: use(Secrets),
  webhookQueue: use(Webhooks).queue,
  taskQueue: use(ProviderTasks).queue,
  mailQueue: use(Mail).queue,
  ticketKey: use(TicketKeys).secret,
});
