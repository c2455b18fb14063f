// Reading synthesized CloudFormation across stacks: resources by type, references through exports, functions by handler.
import type { Synthesized, StackName } from "./synth";

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** A resource somewhere in the app: its stack, logical id and body. */
export interface Located<T = Record<string, unknown>> {
  stack: StackName;
  id: string;
  props: T;
  resource: CfnResource;
}

type Json = Record<string, unknown>;

function templateJson(synth: Synthesized, stack: StackName): Json {
  const template = synth.templates[stack];
  if (!template) throw new Error(`No stack ${stack}`);
  return template.toJSON() as Json;
}

export function resourcesOf<T = Json>(synth: Synthesized, type: string, only?: StackName): Located<T>[] {
  const stacks = (only ? [only] : Object.keys(synth.templates)) as StackName[];
  return stacks.flatMap((stack) => {
    const all = (templateJson(synth, stack).Resources ?? {}) as Record<string, CfnResource>;
    return Object.entries(all)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => ({ stack, id, props: (r.Properties ?? {}) as T, resource: r }));
  });
}

/** Export name → the stack and value behind it, for following Fn::ImportValue. */
function exportsOf(synth: Synthesized): Map<string, { stack: StackName; value: unknown }> {
  const map = new Map<string, { stack: StackName; value: unknown }>();
  for (const stack of Object.keys(synth.templates) as StackName[]) {
    const outputs = (templateJson(synth, stack).Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>;
    for (const output of Object.values(outputs)) if (output.Export) map.set(output.Export.Name, { stack, value: output.Value });
  }
  return map;
}

const exportCache = new WeakMap<Synthesized, Map<string, { stack: StackName; value: unknown }>>();

/**
 * The resource a value points at — `{Ref}`, `{Fn::GetAtt}` or an import of either — as
 * "Stack/LogicalId", or undefined for literals and anything else.
 */
export function target(synth: Synthesized, stack: StackName, value: unknown): string | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as Json;
  if (typeof v.Ref === "string") return v.Ref.startsWith("AWS::") ? undefined : `${stack}/${v.Ref}`;
  const getAtt = v["Fn::GetAtt"];
  if (Array.isArray(getAtt) && typeof getAtt[0] === "string") return `${stack}/${getAtt[0]}`;
  const imported = v["Fn::ImportValue"];
  if (typeof imported === "string") {
    const exports = exportCache.get(synth) ?? exportsOf(synth);
    exportCache.set(synth, exports);
    const found = exports.get(imported);
    return found ? target(synth, found.stack, found.value) : undefined;
  }
  return undefined;
}

export const address = (r: Pick<Located, "stack" | "id">): string => `${r.stack}/${r.id}`;

export interface LambdaProps {
  Handler?: string;
  Runtime?: string;
  Timeout?: number;
  Architectures?: string[];
  Description?: string;
  Role: unknown;
  Environment?: { Variables?: Record<string, unknown> };
  VpcConfig?: { SubnetIds: unknown[]; SecurityGroupIds: unknown[] };
  TracingConfig?: { Mode: string };
}

/** Our functions (built from packages/functions), keyed by their Handler string. */
export function functionsByHandler(synth: Synthesized): Map<string, Located<LambdaProps>> {
  const map = new Map<string, Located<LambdaProps>>();
  for (const fn of resourcesOf<LambdaProps>(synth, "AWS::Lambda::Function")) {
    const handler = fn.props.Handler;
    if (!handler?.startsWith("packages/functions/src/")) continue;
    if (map.has(handler)) throw new Error(`Two functions share the handler ${handler}`);
    map.set(handler, fn);
  }
  return map;
}

export interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
}

/** Every IAM statement in the app with the role addresses it is attached to. */
export function statementsByRole(synth: Synthesized): { roles: string[]; statement: Statement; source: string }[] {
  const out: { roles: string[]; statement: Statement; source: string }[] = [];
  for (const type of ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]) {
    for (const p of resourcesOf<{ PolicyDocument: { Statement: Statement[] }; Roles?: unknown[] }>(synth, type)) {
      const roles = (p.props.Roles ?? []).map((r) => target(synth, p.stack, r) ?? "?");
      for (const statement of p.props.PolicyDocument.Statement) out.push({ roles, statement, source: address(p) });
    }
  }
  for (const role of resourcesOf<{ Policies?: { PolicyDocument: { Statement: Statement[] } }[] }>(synth, "AWS::IAM::Role")) {
    for (const policy of role.props.Policies ?? []) {
      for (const statement of policy.PolicyDocument.Statement) out.push({ roles: [address(role)], statement, source: address(role) });
    }
  }
  return out;
}

export const actionsOf = (s: Statement): string[] => [s.Action ?? []].flat();
export const resourcesIn = (s: Statement): unknown[] => [s.Resource ?? []].flat();

/** The parts of AWS::CloudWatch::Alarm the tests read. */
export interface AlarmProps {
  AlarmName: string;
  AlarmActions: unknown[];
  OKActions?: unknown[];
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  TreatMissingData?: string;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Period?: number;
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: {
    Id: string;
    Expression?: string;
    MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: unknown }[] }; Stat: string };
  }[];
}
