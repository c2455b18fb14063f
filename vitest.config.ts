// One vitest run for unit, integration, infra and e2e tests; benchmarks run separately (npm run bench).
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/{unit,integration,infra,e2e}/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    // The development defaults (data keys, local secrets) come from the one module that owns them;
    // every file gets a ticket signing key of its own.
    setupFiles: ["packages/local/src/env-defaults.ts", "tests/support/ticket-keys-setup.ts"],
    pool: "forks",
    // Most files wait on PostgreSQL, a child runtime or a timer rather than compute: one fork per core
    // (vitest's default is one fewer, a single fork on a 2-core machine). VITEST_MAX_WORKERS overrides.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || availableParallelism(),
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
