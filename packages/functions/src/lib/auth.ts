// Who is calling: claims from API Gateway's JWT authorizer, or a verified bearer token on
// routes without an authorizer (`optional` access), resolved to our user row once per container.
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { DomainError } from "@evently/core/errors";
import { rolesFromGroups, requireRole, type Actor, type Claims } from "@evently/core/auth/actor";
import { resolveActor } from "@evently/core/users";
import type { Access } from "../manifest";
import { config, ConfigError } from "./config";
import { getDb } from "./db";

type Event = Partial<Pick<APIGatewayProxyEventV2WithJWTAuthorizer, "requestContext" | "headers">>;

/**
 * An address counts only once the identity provider verified it: an unverified one (changed in the
 * user pool, not yet confirmed) must not receive tickets or be found as someone else's door staff.
 * API Gateway hands the flag over as text ("true").
 */
const verifiedEmail = (payload: Record<string, unknown>): string | null =>
  typeof payload.email === "string" && (payload.email_verified === true || payload.email_verified === "true") ? payload.email : null;

export function claimsFromPayload(payload: Record<string, unknown>): Claims | undefined {
  if (typeof payload.sub !== "string" || payload.sub.length === 0) return undefined;
  return {
    sub: payload.sub,
    email: verifiedEmail(payload),
    roles: rolesFromGroups(payload["cognito:groups"]),
  };
}

// Cognito when configured (always in Lambda: config stops a function without it), the local HS256
// secret otherwise. There is no path from Lambda to the local secret.
const cognito = config.cognito;
const jwks = cognito ? createRemoteJWKSet(new URL(`${cognito.issuer}/.well-known/jwks.json`)) : undefined;

export async function verifyBearer(token: string): Promise<JWTPayload> {
  if (jwks && cognito) {
    const { payload } = await jwtVerify(token, jwks, { issuer: cognito.issuer });
    // Like API Gateway's authorizer: ID tokens name the client in `aud`, access tokens in `client_id`.
    const audiences = [payload.aud, payload.client_id].flat();
    if (cognito.clientId && !audiences.includes(cognito.clientId)) throw new Error("token issued for another client");
    return payload;
  }
  if (config.inLambda) throw new ConfigError("COGNITO_ISSUER", "is not set");
  if (!config.localJwtSecret) throw new ConfigError("LOCAL_JWT_SECRET", "is not set (packages/local sets a development value)");
  return (await jwtVerify(token, new TextEncoder().encode(config.localJwtSecret), { algorithms: ["HS256"] })).payload;
}

async function claimsOf(event: Event, access: Access): Promise<Claims | undefined> {
  const fromAuthorizer = event.requestContext?.authorizer?.jwt?.claims;
  if (fromAuthorizer) return claimsFromPayload(fromAuthorizer);
  if (access !== "optional") return undefined;
  const header = event.headers?.authorization;
  if (!header) return undefined;
  const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
  try {
    if (!token) throw new Error("not a bearer token");
    return claimsFromPayload(await verifyBearer(token));
  } catch {
    throw new DomainError("unauthorized", "The bearer token is invalid or expired");
  }
}

// Steady traffic from one caller needs no write: remember who we already resolved.
const actors = new Map<string, Actor>();
const cacheKey = (c: Claims) => `${c.sub}\u0000${c.email ?? ""}\u0000${c.roles.join(",")}`;

async function toActor(claims: Claims): Promise<Actor> {
  const key = cacheKey(claims);
  const cached = actors.get(key);
  if (cached) return cached;
  const actor = await resolveActor(await getDb(), claims);
  if (actors.size >= 10_000) actors.clear();
  actors.set(key, actor);
  return actor;
}

/** Applies the manifest's access rule: 401 without valid claims, 403 without the role. */
export async function authenticate(event: Event, access: Access): Promise<Actor | undefined> {
  if (access === "public" || access === "stripe") return undefined;
  const claims = await claimsOf(event, access);
  if (!claims) {
    if (access === "optional") return undefined;
    throw new DomainError("unauthorized", "A valid bearer token is required");
  }
  const actor = await toActor(claims);
  if (access === "organizer" || access === "admin") requireRole(actor, access);
  return actor;
}
