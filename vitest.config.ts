// One vitest run for unit, integration, infra and e2e tests; benchmarks run separately (npm run bench).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/{unit,integration,infra,e2e}/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    // The development defaults (data keys, local secrets) come from the one module that owns them;
    // every file gets a ticket signing key of its own.
    setupFiles: ["packages/local/src/env-defaults.ts", "tests/support/ticket-keys-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: {
      LOCAL_JWT_SECRET: "test-secret",
      STRIPE_WEBHOOK_SECRET: "whsec_test",
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
    },
  },
});
