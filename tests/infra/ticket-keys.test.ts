// The ticket signing keys in the synthesized app: one secret, rotated by our function on a
// schedule that runs at creation, the function scoped to that secret and invocable only for it.
import { beforeAll, describe, expect, it } from "vitest";
import { TICKET_KEY_ROTATION_DAYS } from "../../infra/ticket-keys";
import { actionsOf, address, resourcesIn, resourcesOf, statementsByRole, target } from "./cfn";
import { secretName } from "./expected";
import { synthesize, type Synthesized } from "./synth";

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize("test");
}, 120_000);

describe("TicketKeys stack", () => {
  it("rotates the key secret with the rotation function, immediately and every 90 days", () => {
    const [secret] = resourcesOf<{ Name: string }>(synth, "AWS::SecretsManager::Secret", "TicketKeys");
    expect(secret?.props.Name).toBe(secretName("test", "ticket-key"));
    const [schedule] = resourcesOf<{
      SecretId: unknown;
      RotationLambdaARN: unknown;
      RotationRules: unknown;
      RotateImmediatelyOnUpdate: boolean;
    }>(synth, "AWS::SecretsManager::RotationSchedule", "TicketKeys");
    expect(target(synth, "TicketKeys", schedule!.props.SecretId)).toBe(address(secret!));
    const [fn] = resourcesOf<{ Handler: string }>(synth, "AWS::Lambda::Function", "TicketKeys").filter((f) =>
      f.id.startsWith("RotateTicketKey"),
    );
    expect(target(synth, "TicketKeys", schedule!.props.RotationLambdaARN)).toBe(address(fn!));
    expect(schedule!.props.RotationRules).toEqual({ ScheduleExpression: `rate(${TICKET_KEY_ROTATION_DAYS} days)` });
    expect(schedule!.props.RotateImmediatelyOnUpdate).toBe(true);
  });

  it("only Secrets Manager may invoke the rotation function, and only for this secret", () => {
    const [secret] = resourcesOf(synth, "AWS::SecretsManager::Secret", "TicketKeys");
    const permissions = resourcesOf<{ Principal: string; SourceArn: unknown }>(synth, "AWS::Lambda::Permission", "TicketKeys").filter(
      (p) => p.props.Principal === "secretsmanager.amazonaws.com",
    );
    expect(permissions).toHaveLength(1);
    expect(target(synth, "TicketKeys", permissions[0]!.props.SourceArn)).toBe(address(secret!));
  });

  it("the rotation function writes versions of this secret only, and nothing else in the stack touches Secrets Manager", () => {
    const [secret] = resourcesOf(synth, "AWS::SecretsManager::Secret", "TicketKeys");
    const writes = statementsByRole(synth).filter((s) =>
      actionsOf(s.statement).some((a) => ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"].includes(a)),
    );
    expect(writes.map((s) => s.source.split("/")[1]?.startsWith("RotateTicketKey"))).toEqual([true]);
    for (const resource of resourcesIn(writes[0]!.statement)) expect(target(synth, "TicketKeys", resource)).toBe(address(secret!));
  });
});
