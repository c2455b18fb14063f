// Stage-dependent settings in one place, so "what differs in prod" is a single read; plus naming and export helpers.
import type { Stack } from "aws-cdk-lib";

export interface StageSettings {
  prod: boolean;
  db: {
    /** Aurora capacity units; 0.5 is the floor without auto-pause, whose cold resume would stall requests. */
    minCapacity: number;
    maxCapacity: number;
    /** Serverless v2 readers; prod gets one so a writer failure promotes a warm instance. */
    readers: number;
    backupRetentionDays: number;
    /** Deletion protection plus a final snapshot on removal. */
    protect: boolean;
  };
  /** CloudWatch Logs retention for every function. */
  logRetention: "two_weeks" | "three_months";
  /** The webhook consumer's ceiling: bounds the connections it can open through the proxy. */
  webhookConsumerMaxConcurrency: number;
  network: {
    natGateways: number;
    /** A Secrets Manager interface endpoint in the app subnets (see network.ts for the choice). */
    secretsManagerEndpoint: boolean;
  };
  /** API Gateway stage default throttling (requests per second, burst); hot routes get their own in api-stage.ts. */
  apiThrottle: { rate: number; burst: number };
  /** Scales the per-route limits of api-stage.ts: dev stages take a tenth of prod's traffic. */
  apiThrottleScale: number;
  /**
   * Reserved concurrency, prod only. Every function draws from the account's regional pool
   * (1,000 by default); a flood of API requests could take all of it and throttle the webhook
   * consumer and the jobs, which are what settle payments and release holds. Reserving their
   * own slots keeps them running whatever the API does: the consumer reserves its event-source
   * ceiling, webhookConsumerMaxConcurrency (less would throttle it against itself), each job two
   * (a run and an overlapping straggler): 20 of 1,000 in prod. Dev stages reserve nothing: new
   * accounts have a pool of 10 and Lambda refuses a reservation that leaves fewer than 100 unreserved.
   */
  reservedConcurrency?: { perJob: number };
}

const PROD_STAGES = new Set(["prod", "production"]);

export function isProdStage(stage: string): boolean {
  return PROD_STAGES.has(stage);
}

export function stageSettings(stage: string): StageSettings {
  const prod = isProdStage(stage);
  return {
    prod,
    db: {
      minCapacity: 0.5,
      maxCapacity: prod ? 16 : 4,
      readers: prod ? 1 : 0,
      backupRetentionDays: prod ? 14 : 1,
      protect: prod,
    },
    logRetention: prod ? "three_months" : "two_weeks",
    webhookConsumerMaxConcurrency: prod ? 10 : 2,
    network: { natGateways: 1, secretsManagerEndpoint: prod },
    // Sized from the rush benchmark (one event, thousands of buyers): the proxy's pool, not API
    // Gateway, is the real ceiling, so the stage limit only has to stop a flood well before it.
    apiThrottle: prod ? { rate: 500, burst: 1000 } : { rate: 50, burst: 100 },
    apiThrottleScale: prod ? 1 : 0.1,
    ...(prod ? { reservedConcurrency: { perJob: 2 } } : {}),
  };
}

/** The app's name prefix for physical names an operator types (secrets, alarms, dashboards). */
export function physicalPrefix(app: { name: string; stage: string }): string {
  return `${app.stage}-${app.name}`;
}

/**
 * CDK creates a cross-stack export only while some stack imports the value, and deletes it when
 * the last importer goes: the exporting stack deploys first and CloudFormation refuses to drop an
 * export still in use, so removing e.g. the only route with "stripe-key" would fail the deploy.
 * Exporting every value consumers may import, unconditionally, keeps the exports stable.
 */
export function exportForConsumers(stack: Stack, values: readonly string[]): void {
  for (const value of values) stack.exportValue(value);
}
