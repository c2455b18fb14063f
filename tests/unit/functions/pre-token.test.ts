// The admin-MFA rule of the Cognito pre-token trigger: admin group only with TOTP enabled, fail closed, members untouched.
import { AdminGetUserCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import type { PreTokenGenerationTriggerEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { makeHandler } from "@evently/functions/auth/pre-token";

const cognito = mockClient(CognitoIdentityProviderClient);
afterEach(() => cognito.reset());

const event = (groups: string[]): PreTokenGenerationTriggerEvent =>
  ({
    version: "1",
    triggerSource: "TokenGeneration_Authentication",
    region: "us-east-1",
    userPoolId: "us-east-1_pool",
    userName: "user-1",
    callerContext: { awsSdkVersion: "x", clientId: "client" },
    request: { userAttributes: {}, groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: undefined } },
    response: { claimsOverrideDetails: {} },
  }) as unknown as PreTokenGenerationTriggerEvent;

const handler = makeHandler(new CognitoIdentityProviderClient({ region: "us-east-1" }));
const groupsOut = (e: PreTokenGenerationTriggerEvent) => e.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride;

describe("pre-token trigger", () => {
  it("keeps the admin group for an admin with TOTP enabled, asking about that user in that pool", async () => {
    cognito.on(AdminGetUserCommand).resolves({ Username: "user-1", UserMFASettingList: ["SOFTWARE_TOKEN_MFA"] });
    expect(groupsOut(await handler(event(["admin", "organizer"])))).toBeUndefined();
    expect(cognito.commandCalls(AdminGetUserCommand)[0]!.args[0].input).toEqual({ UserPoolId: "us-east-1_pool", Username: "user-1" });
  });

  it("drops only the admin group for an admin without TOTP", async () => {
    cognito.on(AdminGetUserCommand).resolves({ Username: "user-1", UserMFASettingList: [] });
    expect(groupsOut(await handler(event(["admin", "organizer"])))).toEqual(["organizer"]);
  });

  it("fails closed when the user's settings cannot be read", async () => {
    cognito.on(AdminGetUserCommand).rejects(new Error("throttled"));
    expect(groupsOut(await handler(event(["admin"])))).toEqual([]);
  });

  it("leaves members and organizers alone, without a call", async () => {
    expect(groupsOut(await handler(event(["organizer"])))).toBeUndefined();
    expect(groupsOut(await handler(event([])))).toBeUndefined();
    expect(cognito.commandCalls(AdminGetUserCommand)).toHaveLength(0);
  });
});
