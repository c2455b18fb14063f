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
