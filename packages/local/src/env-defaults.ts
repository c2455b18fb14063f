// The only home of development defaults: imported first by every local entry point (npm start,
// the CLIs, the local runtime, the test setup) so the functions' config finds a complete
// environment. Deployed functions never load this module: in Lambda a missing value stops the
// function at start instead of falling back to anything here.

/** Values that protect local data only; each one is published in this repository. */
export const LOCAL_DEFAULTS = {
  POWERTOOLS_LOG_LEVEL: "WARN",
  POWERTOOLS_METRICS_DISABLED: "true",
  LOCAL_JWT_SECRET: "local-dev-secret",
  // What the local Stripe sandbox expects; STRIPE_SECRET_KEY (real test mode) is never defaulted,
  // because setting it is how a developer turns the sandbox off.
  STRIPE_SANDBOX_KEY: "sk_test_local",
  STRIPE_WEBHOOK_SECRET: "whsec_local_dev",
  // 32 bytes each, base64.
  DATA_KEY: "v1:bG9jYWwtZGV2LWRhdGEta2V5LW5vdC1hLXNlY3JldCE=",
  BLIND_INDEX_KEY: "bG9jYWwtZGV2LWJsaW5kLWluZGV4LWtleS0zMmJ5dGU=",
} as const;

/** Fills in what the environment does not set; explicit values always win. */
export function applyLocalDefaults(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(LOCAL_DEFAULTS)) env[name] ??= value;
}

applyLocalDefaults();
