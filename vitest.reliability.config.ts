import { defineConfig } from "vitest/config";
import SummaryReporter from "./test/summary-reporter.js";

export default defineConfig({
  test: {
    include: ["reliability/**/*.test.ts"],
    // One suite at a time: they measure the machine and kill servers.
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 60_000,
    reporters: ["default", new SummaryReporter()],
    // The PostgreSQL mode's suites run replicas of dist/ on a real PostgreSQL (as in vitest.config.ts).
    globalSetup: ["test/setup/postgres.ts", "test/setup/build.ts"],
  },
});
