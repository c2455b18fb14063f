// Local HS256 tokens shaped like Cognito's ID tokens: `sub`, a verified `email`, `cognito:groups`.
import { SignJWT, jwtVerify, type JWTPayload } from "jose";
import { LOCAL_DEFAULTS } from "./env-defaults";

export type LocalRole = "member" | "organizer" | "admin";

export const localJwtSecret = (): string => process.env.LOCAL_JWT_SECRET ?? LOCAL_DEFAULTS.LOCAL_JWT_SECRET;
const key = () => new TextEncoder().encode(localJwtSecret());

export async function signLocalToken(input: { sub: string; role?: LocalRole; email?: string; expiresIn?: string }): Promise<string> {
  const groups = input.role && input.role !== "member" ? [input.role] : [];
  return new SignJWT({ email: input.email ?? `${input.sub}@example.test`, email_verified: true, "cognito:groups": groups })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(input.sub)
    .setIssuedAt()
    .setExpirationTime(input.expiresIn ?? "12h")
    .sign(key());
}

export async function verifyLocalToken(token: string): Promise<JWTPayload> {
  return (await jwtVerify(token, key(), { algorithms: ["HS256"] })).payload;
}
