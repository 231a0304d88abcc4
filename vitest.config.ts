import { defineConfig } from "vitest/config";
import SummaryReporter from "./test/summary-reporter.js";

/** End-to-end suites that write: they run once on SQLite and once on PostgreSQL. */
const WRITING_SUITES = [
  "test/e2e/set-password.test.ts",
  "test/e2e/password-reset.test.ts",
  "test/e2e/public-reset.test.ts",
  "test/e2e/sessions.test.ts",
  "test/e2e/lockout.test.ts",
  "test/e2e/delivery.test.ts",
  "test/e2e/concurrency.test.ts",
  "test/e2e/rate-limits.test.ts",
  "test/e2e/users.test.ts",
  "test/e2e/rest.test.ts",
  "test/e2e/list-users.test.ts",
  "test/e2e/reset-request.test.ts",
  "test/e2e/audit-trail.test.ts",
  "test/e2e/pepper.test.ts",
  "test/e2e/api-tokens.test.ts",
  "test/e2e/metrics.test.ts",
  "test/e2e/control-characters.test.ts",
  "test/e2e/import-users.test.ts",
  "test/e2e/deactivate.test.ts",
  "test/e2e/verified-email-reset.test.ts",
];

/** Suites that measure times: they run after the others, one at a time. */
const TIMING_SUITES = ["test/e2e/timing.test.ts"];

export default defineConfig({
  test: {
    // End-to-end tests start real servers in child processes; bcrypt runs at cost 4 there.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", new SummaryReporter()],
    // One real PostgreSQL server for the run (or LATCHKEY_TEST_DATABASE_URL's); dist/ built once.
    globalSetup: ["test/setup/postgres.ts", "test/setup/build.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "default",
          include: ["test/**/*.test.ts"],
          exclude: TIMING_SUITES,
          sequence: { groupOrder: 0 },
          env: { LATCHKEY_TEST_BACKEND: "sqlite" },
        },
      },
      {
        extends: true,
        test: { name: "postgres", include: WRITING_SUITES, sequence: { groupOrder: 0 }, env: { LATCHKEY_TEST_BACKEND: "postgres" } },
      },
      // Last and alone: they compare times, which the rest of the suite running beside them would blur.
      {
        extends: true,
        test: {
          name: "timing",
          include: TIMING_SUITES,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          env: { LATCHKEY_TEST_BACKEND: "sqlite" },
        },
      },
    ],
  },
});
