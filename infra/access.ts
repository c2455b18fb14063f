// Turns a manifest entry's `resources` into exactly the env vars, VPC placement and IAM grants it needs, nothing more.
import * as iam from "aws-cdk-lib/aws-iam";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Function as SstFunction, FunctionProps } from "sst/constructs";
import type { Resource } from "@evently/functions/manifest";
import { DB_APP_USER, DB_PORT, type DatabaseOutputs } from "./database";
import type { NetworkOutputs } from "./network";
import type { SecretsOutputs } from "./secrets";

/** What a stack has at hand; `webhookQueue` only exists once webhooks.ts has run. */
export interface AccessDeps {
  network: NetworkOutputs;
  database: DatabaseOutputs;
  secrets: SecretsOutputs;
  webhookQueue?: sqs.IQueue;
  /** Exists once provider-tasks.ts has run. */
  taskQueue?: sqs.IQueue;
  mailQueue?: sqs.IQueue;
  /** The ticket signing keys (ticket-keys.ts). */
  ticketKey?: secretsmanager.ISecret;
}

interface ResourceAccess {
  environment(deps: AccessDeps): Record<string, string>;
  grant(fn: SstFunction, deps: AccessDeps): void;
  /** Database-bound functions run in the VPC; everything else stays outside it (no NAT, no cold-start ENI). */
  inVpc?: boolean;
}

function ticketKeyOf(deps: AccessDeps): secretsmanager.ISecret {
  if (!deps.ticketKey) throw new Error(`"ticket-key" requested before the TicketKeys stack exists`);
  return deps.ticketKey;
}

function queueOf(deps: AccessDeps, which: "webhook-queue" | "task-queue" = "webhook-queue"): sqs.IQueue {
  const queue = which === "webhook-queue" ? deps.webhookQueue : deps.taskQueue;
  if (!queue) throw new Error(`"${which}" requested before the stack that owns it exists`);
  return queue;
}

/** Only SendMessage: grantSendMessages would add GetQueueAttributes/GetQueueUrl nobody calls. */
const sendOnly = (fn: SstFunction, queue: sqs.IQueue) =>
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: [queue.queueArn] }));

/**
 * One entry per Resource: a Record keyed by the union makes a new resource kind a compile
 * error here instead of a function that silently lacks its access. Env names follow ENV_CONTRACT
 * in packages/functions/src/lib/metric-names.ts.
 */
const ACCESS: Record<Resource, ResourceAccess> = {
  // Signs in through the proxy as the DML-only app role with an IAM token (lib/db-auth.ts); the
  // master secret is not readable by any of these functions.
  db: {
    inVpc: true,
    environment: ({ database }) => ({
      DB_IAM_AUTH: "true",
      DB_HOST: database.host,
      DB_PORT: String(DB_PORT),
      DB_NAME: database.name,
      DB_USER: DB_APP_USER,
    }),
    grant: (fn, { database }) => void database.proxy.grantConnect(fn, DB_APP_USER),
  },
  "stripe-key": {
    environment: ({ secrets }) => ({ STRIPE_SECRET_ARN: secrets.stripeKey.secretArn }),
    grant: (fn, { secrets }) => void secrets.stripeKey.grantRead(fn),
  },
  "webhook-secret": {
    environment: ({ secrets }) => ({ STRIPE_WEBHOOK_SECRET_ARN: secrets.webhookSecret.secretArn }),
    grant: (fn, { secrets }) => void secrets.webhookSecret.grantRead(fn),
  },
  // The keyring and the blind-index key travel together: whoever decrypts provider ids also looks them up.
  "data-key": {
    environment: ({ secrets }) => ({
      DATA_KEY_SECRET_ARN: secrets.dataKey.secretArn,
      BLIND_INDEX_KEY_SECRET_ARN: secrets.indexKey.secretArn,
    }),
    grant: (fn, { secrets }) => {
      secrets.dataKey.grantRead(fn);
      secrets.indexKey.grantRead(fn);
    },
  },
  "webhook-queue": {
    environment: (deps) => ({ WEBHOOK_QUEUE_URL: queueOf(deps).queueUrl }),
    grant: (fn, deps) => sendOnly(fn, queueOf(deps)),
  },
  "task-queue": {
    environment: (deps) => ({ PROVIDER_TASK_QUEUE_URL: queueOf(deps, "task-queue").queueUrl }),
    grant: (fn, deps) => sendOnly(fn, queueOf(deps, "task-queue")),
  },
  "mail-queue": {
    environment: ({ mailQueue }) => {
      if (!mailQueue) throw new Error(`"mail-queue" requested before the Mail stack exists`);
      return { MAIL_QUEUE_URL: mailQueue.queueUrl };
    },
    grant: (fn, { mailQueue }) =>
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: [mailQueue!.queueArn] })),
  },
  "ticket-key": {
    environment: (deps) => ({ TICKET_KEY_SECRET_ARN: ticketKeyOf(deps).secretArn }),
    grant: (fn, deps) => void ticketKeyOf(deps).grantRead(fn),
  },
  // EMF metrics are log lines; the basic execution role already writes logs.
  metrics: { environment: () => ({}), grant: () => undefined },
};

/** Function props (env + VPC) for a set of resources; pass the result into the SST construct. */
export function accessProps(resources: readonly Resource[], deps: AccessDeps): FunctionProps {
  const environment: Record<string, string> = {};
  for (const r of new Set(resources)) Object.assign(environment, ACCESS[r].environment(deps));
  const inVpc = resources.some((r) => ACCESS[r].inVpc);
  // Seat holds are made by database-bound code; the TTL is a deploy-time knob, not a secret.
  if (inVpc) environment.HOLD_TTL_SECONDS = process.env.HOLD_TTL_SECONDS ?? "900";
  return {
    environment,
    ...(inVpc
      ? {
          vpc: deps.network.vpc,
          vpcSubnets: deps.network.appSubnets,
          securityGroups: [deps.network.appSecurityGroup],
        }
      : {}),
  };
}

/** IAM grants for a set of resources, each scoped to that resource's ARN. */
export function grantAccess(fn: SstFunction, resources: readonly Resource[], deps: AccessDeps): void {
  for (const r of new Set(resources)) ACCESS[r].grant(fn, deps);
}
