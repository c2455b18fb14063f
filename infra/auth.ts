// Cognito user pool, app client and role groups behind the API's JWT authorizer.
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import type { Construct } from "constructs";
import { stageSettings } from "./stage";

/** Values of the `cognito:groups` claim the handlers read; every signed-in user is a member. */
const ROLE_GROUPS = ["admin", "organizer"] as const;

export interface AuthOutputs {
  userPool: cognito.UserPool;
  client: cognito.UserPoolClient;
}

export function createAuth(scope: Construct, stage: string): AuthOutputs {
  const settings = stageSettings(stage);
  const userPool = new cognito.UserPool(scope, "UserPool", {
    selfSignUpEnabled: true,
    signInAliases: { email: true },
    autoVerify: { email: true },
    standardAttributes: { email: { required: true, mutable: true } },
    passwordPolicy: { minLength: 12, requireSymbols: false },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    // Users are not reproducible data: prod keeps the pool if the stack goes away.
    removalPolicy: settings.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    deletionProtection: settings.prod,
  });

  // A public client (browser / mobile): no secret, SRP sign-in, short-lived tokens.
  const client = userPool.addClient("WebClient", {
    generateSecret: false,
    authFlows: { userSrp: true },
    preventUserExistenceErrors: true,
    accessTokenValidity: Duration.hours(1),
    idTokenValidity: Duration.hours(1),
    refreshTokenValidity: Duration.days(30),
  });

  for (const group of ROLE_GROUPS) {
    new cognito.CfnUserPoolGroup(scope, `Group-${group}`, {
      userPoolId: userPool.userPoolId,
      groupName: group,
      description: `API role "${group}" (cognito:groups claim)`,
    });
  }

  return { userPool, client };
}
