// Runs cdk-nag's AwsSolutions pack over a synthesized app and collects what it finds, suppressed or not.
import { Aspects, Stack } from "aws-cdk-lib";
import { AwsSolutionsChecks, type INagLogger, type NagLoggerNonComplianceData, type NagLoggerSuppressedData } from "cdk-nag";
import { synthesize, type Synthesized } from "./synth";

interface NagFinding {
  stack: string;
  path: string;
  rule: string;
  level: string;
  info: string;
}

export interface NagResult {
  synth: Synthesized;
  /** Unsuppressed errors and warnings: the test wants none. */
  findings: NagFinding[];
  /** Rules that could not even run on a resource (cdk-nag reports them as errors too). */
  ruleErrors: NagFinding[];
  suppressed: (NagFinding & { reason: string })[];
}

const finding = (d: NagLoggerNonComplianceData | NagLoggerSuppressedData | Parameters<INagLogger["onError"]>[0]): NagFinding => ({
  stack: Stack.of(d.resource).stackName,
  path: d.resource.node.path,
  rule: "findingId" in d && d.findingId !== d.ruleId ? `${d.ruleId}[${d.findingId}]` : d.ruleId,
  level: d.ruleLevel,
  info: d.ruleInfo,
});

/** Synthesizes `stage` with the AwsSolutions checks as an aspect; the report files are not written. */
export async function nag(stage: string): Promise<NagResult> {
  const result: Omit<NagResult, "synth"> = { findings: [], ruleErrors: [], suppressed: [] };
  const logger: INagLogger = {
    onCompliance: () => undefined,
    onNotApplicable: () => undefined,
    onNonCompliance: (d) => void result.findings.push(finding(d)),
    onSuppressed: (d) => void result.suppressed.push({ ...finding(d), reason: d.suppressionReason }),
    onError: (d) => void result.ruleErrors.push({ ...finding(d), info: d.errorMessage }),
    onSuppressedError: () => undefined,
  };
  const synth = await synthesize(stage, undefined, (app) =>
    Aspects.of(app).add(new AwsSolutionsChecks({ reports: false, logIgnores: false, additionalLoggers: [logger] })),
  );
  return { synth, ...result };
}
