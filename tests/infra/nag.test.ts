// cdk-nag's AwsSolutions pack over every stack of a dev and the prod stage: nothing unsuppressed, and every suppression explains itself.
import { describe, expect, it } from "vitest";
import { nag, type NagResult } from "./nag";

const results = new Map<string, Promise<NagResult>>();
const run = (stage: string) => {
  if (!results.has(stage)) results.set(stage, nag(stage));
  return results.get(stage)!;
};

describe.each(["dev", "prod"])("AwsSolutions on stage %s", (stage) => {
  it("checks every stack and leaves no error or warning unsuppressed", { timeout: 120_000 }, async () => {
    const { synth, findings, ruleErrors, suppressed } = await run(stage);
    expect(findings.map((f) => `${f.rule} ${f.path}: ${f.info}`)).toEqual([]);
    expect(ruleErrors.map((f) => `${f.rule} ${f.path}: ${f.info}`)).toEqual([]);
    // The checks did run over the whole app: suppressions are reported from the fixed stacks and the route stacks alike.
    const stacks = new Set(suppressed.map((s) => s.stack.replace(`${stage}-evently-`, "")));
    for (const name of Object.keys(synth.templates)) expect(stacks, name).toContain(name);
  });

  it("gives every suppression a reason of its own, never the rule's text or a placeholder", { timeout: 120_000 }, async () => {
    const { suppressed } = await run(stage);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) {
      expect(s.reason.length, `${s.rule} ${s.path}`).toBeGreaterThanOrEqual(30);
      expect(s.reason).not.toMatch(/todo|fixme|tbd|suppress/i);
    }
  });
});
