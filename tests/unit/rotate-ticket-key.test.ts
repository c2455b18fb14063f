// The Secrets Manager rotation of ticket keys (AWS SDK mocked): the first rotation replaces the
// placeholder with a key, later ones keep the old current key as previous, a retried step mints
// nothing new, and finish moves AWSCURRENT to the new version.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { generateTicketKey, parseTicketKeySet, type TicketKeySet } from "@evently/core/tickets/keys";
import { handler } from "@evently/functions/ops/rotate-ticket-key";

const sm = mockClient(SecretsManagerClient);
const SecretId = "arn:aws:secretsmanager:us-east-1:123456789012:secret:evently/test/ticket-signing-keys";
const token = "v2";
const step = (Step: "createSecret" | "setSecret" | "testSecret" | "finishSecret") => handler({ SecretId, ClientRequestToken: token, Step });

function describeWith(stages: Record<string, string[]>, rotationEnabled = true) {
  sm.on(DescribeSecretCommand).resolves({ RotationEnabled: rotationEnabled, VersionIdsToStages: stages });
}
const notFound = () => new ResourceNotFoundException({ message: "no such version", $metadata: {} });
const put = () => sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input);

beforeEach(() => sm.reset());

describe("rotate-ticket-key", () => {
  it("createSecret replaces CloudFormation's placeholder with a first key and no previous", async () => {
    describeWith({ v1: ["AWSCURRENT"], v2: ["AWSPENDING"] });
    sm.on(GetSecretValueCommand, { VersionStage: "AWSPENDING" }).rejects(notFound());
    sm.on(GetSecretValueCommand, { VersionStage: "AWSCURRENT" }).resolves({ SecretString: "Xy7placeholder0000" });
    await step("createSecret");
    const [input] = put();
    expect(input).toMatchObject({ SecretId, ClientRequestToken: token, VersionStages: ["AWSPENDING"] });
    expect(parseTicketKeySet(input!.SecretString!)).toMatchObject({ current: { kty: "OKP", crv: "Ed25519" }, previous: null });
  });

  it("createSecret keeps the outgoing current key as previous; testSecret accepts the result", async () => {
    const old: TicketKeySet = { current: await generateTicketKey("old"), previous: await generateTicketKey("older") };
    describeWith({ v1: ["AWSCURRENT"], v2: ["AWSPENDING"] });
    sm.on(GetSecretValueCommand, { VersionStage: "AWSPENDING" }).rejectsOnce(notFound());
    sm.on(GetSecretValueCommand, { VersionStage: "AWSCURRENT" }).resolves({ SecretString: JSON.stringify(old) });
    await step("createSecret");
    const next = parseTicketKeySet(put()[0]!.SecretString!);
    expect(next.previous).toEqual(old.current);
    expect(next.current.kid).not.toBe("old");
    sm.on(GetSecretValueCommand, { VersionStage: "AWSPENDING" }).resolves({ SecretString: JSON.stringify(next) });
    await expect(step("testSecret")).resolves.toBeUndefined();
  });

  it("a retried createSecret finds the pending version and writes nothing", async () => {
    describeWith({ v1: ["AWSCURRENT"], v2: ["AWSPENDING"] });
    sm.on(GetSecretValueCommand, { VersionStage: "AWSPENDING" }).resolves({ SecretString: "{}" });
    await step("createSecret");
    expect(put()).toEqual([]);
  });

  it("testSecret refuses a pending value that is not a key set", async () => {
    describeWith({ v1: ["AWSCURRENT"], v2: ["AWSPENDING"] });
    sm.on(GetSecretValueCommand, { VersionStage: "AWSPENDING" }).resolves({ SecretString: JSON.stringify({ current: { kty: "RSA" } }) });
    await expect(step("testSecret")).rejects.toThrow(/malformed/);
  });

  it("finishSecret moves AWSCURRENT to the new version; a finished or foreign token is handled", async () => {
    describeWith({ v1: ["AWSCURRENT"], v2: ["AWSPENDING"] });
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    await step("finishSecret");
    expect(sm.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId, VersionStage: "AWSCURRENT", MoveToVersionId: token, RemoveFromVersionId: "v1" },
    ]);
    sm.reset();
    describeWith({ v1: [], v2: ["AWSCURRENT"] });
    await step("finishSecret");
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toEqual([]);
    sm.reset();
    describeWith({ v1: ["AWSCURRENT"] });
    await expect(step("createSecret")).rejects.toThrow(/not a version/);
    sm.reset();
    describeWith({ v1: ["AWSCURRENT"], v2: ["AWSPENDING"] }, false);
    await expect(step("createSecret")).rejects.toThrow(/not enabled/);
  });
});
