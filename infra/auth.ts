// Cognito user pool, app client and role groups behind the API's JWT authorizer.
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { Function as SstFunction } from "sst/constructs";
import { handlerPath } from "@evently/functions/manifest";
import type { DeployConfig } from "./config";
import { PRE_TOKEN } from "./contracts";
import { suppress } from "./nag";
import { stageSettings } from "./stage";

/** Values of the `cognito:groups` claim the handlers read; every signed-in user is a member. */
const ROLE_GROUPS = ["admin", "organizer"] as const;

export interface AuthOutputs {
  userPool: cognito.UserPool;
  client: cognito.UserPoolClient;
  preToken: SstFunction;
}

export function createAuth(scope: Construct, stage: string, config: DeployConfig["auth"]): AuthOutputs {
  const settings = stageSettings(stage);
  const userPool = new cognito.UserPool(scope, "UserPool", {
    selfSignUpEnabled: true,
    signInAliases: { email: true },
    autoVerify: { email: true },
    standardAttributes: { email: { required: true, mutable: true } },
    // A changed address replaces the verified one only once it is verified too: the API trusts
    // only verified emails (tickets, door staff and comps are found by email).
    keepOriginal: { email: true },
    passwordPolicy: { minLength: 12, requireSymbols: false },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    // TOTP (an authenticator app) for whoever turns it on; SMS would need an SNS spending budget
    // and is the weaker factor. Admins must: the pre-token trigger below.
    mfa: cognito.Mfa.OPTIONAL,
    mfaSecondFactor: { otp: true, sms: false },
    // Cognito's built-in sender stops at 50 mails a day; prod sends through SES from a verified
    // identity (required there by config.ts), dev stages may.
    email: config.emailFrom
      ? cognito.UserPoolEmail.withSES({
          fromEmail: config.emailFrom.address,
          ...(config.emailFrom.name ? { fromName: config.emailFrom.name } : {}),
          sesRegion: Stack.of(scope).region,
        })
      : cognito.UserPoolEmail.withCognito(),
    // Users are not reproducible data: prod keeps the pool if the stack goes away.
    removalPolicy: settings.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    deletionProtection: settings.prod,
  });

  suppress(
    userPool,
    "COG1",
    "12 characters minimum without composition rules, as NIST SP 800-63B advises; composition rules push users to predictable patterns",
  );
  suppress(
    userPool,
    "COG2",
    "Members sign up themselves and MFA is optional for them; admins are held to TOTP by the pre-token trigger, which drops the admin group from tokens of admins without it",
  );

  // Admins must use MFA: tokens of an admin without TOTP enabled lack the admin group.
  const preToken = new SstFunction(scope, "PreTokenTrigger", {
    handler: handlerPath(PRE_TOKEN.handler),
    description: `Cognito pre-token: admin group only with TOTP (${PRE_TOKEN.handler})`,
    timeout: PRE_TOKEN.timeoutSeconds,
    memorySize: 256,
  });
  userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION, preToken);
  // A policy of its own, not the function's default one: the function would otherwise depend on
  // a policy naming the pool, while the pool depends on the function (its trigger).
  new iam.Policy(scope, "PreTokenTriggerPolicy", {
    roles: [preToken.role!],
    statements: [new iam.PolicyStatement({ actions: ["cognito-idp:AdminGetUser"], resources: [userPool.userPoolArn] })],
  });
  suppress(
    userPool,
    "COG3",
    "Threat protection (advanced security) needs the Plus feature plan; out of scope for now, sign-in is rate limited by Cognito",
  );

  // A public client (browser / mobile): no secret, SRP sign-in, short-lived tokens. The hosted
  // sign-in answers with an authorization code only (no implicit grant, so no token in a URL);
  // without a client secret the code can only be redeemed with the PKCE verifier of the browser
  // that asked for it. Cognito has no switch that refuses a code exchange without PKCE, so the
  // front end must always send one (README, Deploying).
  const client = userPool.addClient("WebClient", {
    generateSecret: false,
    authFlows: { userSrp: true },
    oAuth: {
      flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
      scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
      callbackUrls: config.callbackUrls,
      logoutUrls: config.logoutUrls,
    },
    supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    preventUserExistenceErrors: true,
    enableTokenRevocation: true,
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

  return { userPool, client, preToken };
}
