// Migrations stack: an SST Script that runs the Kysely migrations against Aurora (through the proxy) on every deploy.
import { Function as SstFunction, Script, use, type StackContext } from "sst/constructs";
import { handlerPath } from "@evently/functions/manifest";
import { accessProps, grantAccess, type AccessDeps } from "./access";
import { Alerts, watchFunction } from "./alerts";
import { MIGRATE } from "./contracts";
import { Database } from "./database";
import { Network } from "./network";
import { Secrets } from "./secrets";

export interface MigrationsOutputs {
  migrate: SstFunction;
}

export function Migrations({ stack }: StackContext): MigrationsOutputs {
  const deps: AccessDeps = { network: use(Network), database: use(Database), secrets: use(Secrets) };
  const { topic } = use(Alerts);

  const migrate = new SstFunction(stack, "Migrate", {
    handler: handlerPath(MIGRATE.handler),
    description: `Kysely migrations to latest (${MIGRATE.handler})`,
    timeout: MIGRATE.timeoutSeconds,
    // Script functions may not be live-proxied by `sst dev`: the deploy must run the real code.
    enableLiveDev: false,
    ...accessProps(MIGRATE.resources, deps),
  });
  grantAccess(migrate, MIGRATE.resources, deps);
  watchFunction(migrate, MIGRATE.name, topic);

  // No `version`: SST then stamps each deploy, so the Script runs every time. Migrating to latest
  // is a no-op when nothing is pending, and a failure fails (and rolls back) this stack before the
  // stacks that depend on it ship code expecting the new schema.
  new Script(stack, "MigrateScript", {
    onCreate: migrate,
    onUpdate: migrate,
  });

  return { migrate };
}
