// Every resource of every stack, dev and prod, against the CloudFormation resource specification: the deploy would not reject it for its shape.
import { beforeAll, describe, expect, it } from "vitest";
import { validateResource } from "./cfn-spec";
import type { CfnResource } from "./cfn";
import { synthesize, type Synthesized } from "./synth";

const stages: Record<string, Synthesized> = {};
beforeAll(async () => {
  stages.dev = await synthesize("dev");
  stages.prod = await synthesize("prod");
}, 240_000);

const resources = (synth: Synthesized) =>
  Object.entries(synth.templates).flatMap(([stack, t]) =>
    Object.entries((t.toJSON() as { Resources?: Record<string, CfnResource> }).Resources ?? {}).map(([id, r]) => ({ stack, id, r })),
  );

describe("the CloudFormation resource specification", () => {
  it("knows every resource type we synthesize and finds nothing wrong with any resource (dev and prod)", () => {
    for (const [stage, synth] of Object.entries(stages)) {
      const all = resources(synth);
      expect(all.length, stage).toBeGreaterThan(300);
      const problems = all.flatMap(({ stack, id, r }) => validateResource(r).map((p) => `${stage} ${stack}/${id}: ${p}`));
      expect(problems).toEqual([]);
    }
  });

  it("declares no security-group rule twice (EC2 rejects the second at deploy time, the synth does not)", () => {
    const ruleTypes = new Set(["AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"]);
    for (const [stage, synth] of Object.entries(stages)) {
      const seen = new Map<string, string>();
      for (const { stack, id, r } of resources(synth)) {
        if (!ruleTypes.has(r.Type)) continue;
        const { Description: _, ...rule } = r.Properties ?? {};
        const key = `${r.Type} ${JSON.stringify(rule)}`;
        expect(seen.get(key), `${stage} ${stack}/${id}`).toBeUndefined();
        seen.set(key, id);
      }
    }
  });

  it("keeps every stack under 400 resources (CloudFormation stops at 500)", () => {
    for (const [stage, synth] of Object.entries(stages)) {
      for (const [stack, t] of Object.entries(synth.templates)) {
        expect(Object.keys((t.toJSON() as { Resources: object }).Resources).length, `${stage} ${stack}`).toBeLessThan(400);
      }
    }
  });
});

describe("the validator", () => {
  const fn = (props: Record<string, unknown>): CfnResource => ({
    Type: "AWS::Lambda::Function",
    Properties: { Code: { ZipFile: "x" }, Role: { "Fn::GetAtt": ["Role", "Arn"] }, ...props },
  });

  it("accepts a well-formed resource, intrinsics included", () => {
    expect(validateResource(fn({ Runtime: "nodejs22.x", Timeout: 10, Environment: { Variables: { A: { Ref: "X" } } } }))).toEqual([]);
  });

  it("names an unknown type, a missing required property, an unknown property, a wrong primitive and a wrong enum value", () => {
    expect(validateResource({ Type: "AWS::Lambda::Functon", Properties: {} })).toEqual([
      "AWS::Lambda::Functon: not a resource type in the CloudFormation specification",
    ]);
    expect(validateResource({ Type: "AWS::Lambda::Function", Properties: { Code: { ZipFile: "x" } } })).toEqual([
      "AWS::Lambda::Function.Role: required, missing",
    ]);
    expect(validateResource(fn({ Timeoutt: 10 }))).toEqual(["AWS::Lambda::Function.Timeoutt: not a property of AWS::Lambda::Function"]);
    expect(validateResource(fn({ Timeout: "ten" }))).toEqual(['AWS::Lambda::Function.Timeout: expected a number, got "ten"']);
    expect(validateResource(fn({ TracingConfig: { Mode: "Always" } }))).toEqual([
      'AWS::Lambda::Function.TracingConfig.Mode: "Always" is not one of Active, PassThrough',
    ]);
    expect(validateResource(fn({ Environment: { Variabls: {} } }))).toEqual([
      "AWS::Lambda::Function.Environment.Variabls: not a property of AWS::Lambda::Function.Environment",
    ]);
  });
});
