// RDS Proxy IAM authentication: the connection carries no password; pg asks for one per new connection and gets a fresh token.
import { Signer } from "@aws-sdk/rds-signer";

/** Where and as whom a function connects when DB_IAM_AUTH is set (env names set by infra/access.ts). */
export interface IamDbTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  region: string;
}

/** Signs a token for one target; the default uses the function's role, tests hand in their own. */
export type TokenSigner = (target: IamDbTarget) => Promise<string>;

const signWithRole: TokenSigner = (target) =>
  new Signer({ hostname: target.host, port: target.port, username: target.user, region: target.region }).getAuthToken();

export function iamDbTarget(env: Record<string, string | undefined>): IamDbTarget {
  const missing = ["DB_HOST", "DB_NAME", "DB_USER", "AWS_REGION"].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`DB_IAM_AUTH is set but ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not`);
  const port = Number(env.DB_PORT ?? 5432);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`DB_PORT is not a port: ${env.DB_PORT}`);
  return { host: env.DB_HOST!, port, user: env.DB_USER!, database: env.DB_NAME!, region: env.AWS_REGION! };
}

/**
 * A token is valid for 15 minutes but only checked when a connection opens, so signing per new
 * connection (a few per container lifetime, pool max 1 and short idle timeout) never hands pg an
 * expired one. Signing is local (SigV4 over the role's credentials), not a network call.
 */
export function iamConnection(
  target: IamDbTarget,
  sign: TokenSigner = signWithRole,
): { connectionString: string; password: () => Promise<string> } {
  const user = encodeURIComponent(target.user);
  const database = encodeURIComponent(target.database);
  return {
    connectionString: `postgres://${user}@${target.host}:${target.port}/${database}`,
    password: () => sign(target),
  };
}
