// Runtime configuration from the environment, read once per container.
const int = (value: string | undefined, fallback: number): number => {
  const n = value === undefined || value === "" ? NaN : Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

const inLambda = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);

export const config = {
  inLambda,
  /** One request at a time per Lambda container, so one connection; more for the local server. */
  dbPoolMax: int(process.env.DB_POOL_MAX, inLambda ? 1 : 20),
  holdTtlSeconds: int(process.env.HOLD_TTL_SECONDS, 900),
  localJwtSecret: process.env.LOCAL_JWT_SECRET ?? "local-dev-secret",
} as const;
