// Secrets Manager rotation for the ticket signing keys (the four-step protocol): the new version
// holds a fresh current key and the old current as previous, so codes signed before the rotation
// keep verifying until the next one.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { createTicketCodes } from "@evently/core/tickets/codes";
import { parseTicketKeySet, rotateTicketKeys, type TicketKeySet } from "@evently/core/tickets/keys";
import { logger } from "../lib/observability";

export interface RotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: "createSecret" | "setSecret" | "testSecret" | "finishSecret";
}

const client = new SecretsManagerClient({});

const PROBE = { id: "00000000-0000-4000-8000-000000000000", eventId: "00000000-0000-4000-8000-000000000001" };

/** The current key set, or null while the secret still holds the placeholder CloudFormation generated. */
function currentKeys(text: string | undefined): TicketKeySet | null {
  try {
    return text ? parseTicketKeySet(text) : null;
  } catch {
    return null;
  }
}

async function createSecret(e: RotationEvent): Promise<void> {
  // A retried step must not mint a second key: the pending version may already exist.
  try {
    await client.send(new GetSecretValueCommand({ SecretId: e.SecretId, VersionId: e.ClientRequestToken, VersionStage: "AWSPENDING" }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const current = await client.send(new GetSecretValueCommand({ SecretId: e.SecretId, VersionStage: "AWSCURRENT" }));
  const next = await rotateTicketKeys(currentKeys(current.SecretString));
  await client.send(
    new PutSecretValueCommand({
      SecretId: e.SecretId,
      ClientRequestToken: e.ClientRequestToken,
      SecretString: JSON.stringify(next),
      VersionStages: ["AWSPENDING"],
    }),
  );
  logger.info("Ticket key created", { kid: next.current.kid, previousKid: next.previous?.kid ?? null });
}

/** The pending keys must sign, and a code signed with the outgoing key must still verify. */
async function testSecret(e: RotationEvent): Promise<void> {
  const pending = await client.send(
    new GetSecretValueCommand({ SecretId: e.SecretId, VersionId: e.ClientRequestToken, VersionStage: "AWSPENDING" }),
  );
  const keys = parseTicketKeySet(pending.SecretString ?? "");
  const codes = await createTicketCodes(keys);
  if ((await codes.verify(await codes.sign(PROBE), PROBE.eventId)) !== PROBE.id)
    throw new Error("pending ticket key does not verify its own code");
  if (keys.previous) {
    const old = await createTicketCodes({ current: keys.previous, previous: null });
    await codes.verify(await old.sign(PROBE), PROBE.eventId);
  }
}

async function finishSecret(e: RotationEvent): Promise<void> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: e.SecretId }));
  const versions = described.VersionIdsToStages ?? {};
  const current = Object.keys(versions).find((id) => versions[id]?.includes("AWSCURRENT"));
  if (current === e.ClientRequestToken) return;
  await client.send(
    new UpdateSecretVersionStageCommand({
      SecretId: e.SecretId,
      VersionStage: "AWSCURRENT",
      MoveToVersionId: e.ClientRequestToken,
      ...(current ? { RemoveFromVersionId: current } : {}),
    }),
  );
}

export async function handler(event: RotationEvent): Promise<void> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
  if (!described.RotationEnabled) throw new Error("rotation is not enabled for this secret");
  const stages = described.VersionIdsToStages?.[event.ClientRequestToken];
  if (!stages) throw new Error("the rotation token is not a version of this secret");
  // Already current (a retried finish): nothing left to do.
  if (stages.includes("AWSCURRENT")) return;
  if (!stages.includes("AWSPENDING")) throw new Error("the rotation token is not pending");
  switch (event.Step) {
    case "createSecret":
      return createSecret(event);
    // Nothing outside the secret holds the key: the public halves are derived from it on read.
    case "setSecret":
      return;
    case "testSecret":
      return testSecret(event);
    case "finishSecret":
      return finishSecret(event);
  }
}
