// Cognito pre-token trigger: an admin's tokens carry the "admin" group only once that admin has TOTP MFA enabled.
import { AdminGetUserCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { PreTokenGenerationTriggerEvent } from "aws-lambda";
import { logger } from "../lib/observability";

export const ADMIN_GROUP = "admin";

const cognito = new CognitoIdentityProviderClient({});

/**
 * A user with TOTP enabled is asked for a code at every sign-in (MFA is optional in the pool, so
 * enabled means always used), which makes "has TOTP" the MFA evidence Cognito's tokens lack.
 * Members never cost a call; an admin without TOTP, or whose settings cannot be read, gets
 * member tokens (fail closed) and a log line saying why, instead of a failed sign-in.
 */
export async function hasTotp(
  userPoolId: string,
  username: string,
  client: Pick<CognitoIdentityProviderClient, "send"> = cognito,
): Promise<boolean> {
  const user = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
  return (user.UserMFASettingList ?? []).includes("SOFTWARE_TOKEN_MFA");
}

export function makeHandler(client: Pick<CognitoIdentityProviderClient, "send"> = cognito) {
  return async (event: PreTokenGenerationTriggerEvent): Promise<PreTokenGenerationTriggerEvent> => {
    const groups = event.request.groupConfiguration.groupsToOverride ?? [];
    if (!groups.includes(ADMIN_GROUP)) return event;
    let allowed = false;
    try {
      allowed = await hasTotp(event.userPoolId, event.userName, client);
    } catch (error) {
      logger.error("could not read the admin's MFA settings; issuing tokens without the admin group", { error: (error as Error).name });
    }
    if (allowed) return event;
    logger.warn("admin without TOTP MFA: tokens issued without the admin group", { triggerSource: event.triggerSource });
    event.response.claimsOverrideDetails = {
      ...event.response.claimsOverrideDetails,
      groupOverrideDetails: { ...event.request.groupConfiguration, groupsToOverride: groups.filter((g) => g !== ADMIN_GROUP) },
    };
    return event;
  };
}

export const handler = makeHandler();
