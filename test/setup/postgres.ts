// Vitest global setup: one real PostgreSQL server for the whole run (test/helpers/embedded-postgres.ts),
// unless LATCHKEY_TEST_DATABASE_URL names one. Test files get their own databases on it
// (test/helpers/postgres.ts).
import type { TestProject } from "vitest/node";
import { startOwnPostgres } from "../helpers/embedded-postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL URL whose user may create databases. */
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env.LATCHKEY_TEST_DATABASE_URL;
  if (configured !== undefined && configured !== "") {
    project.provide("postgresAdminUrl", configured);
    return async () => undefined;
  }
  const server = await startOwnPostgres();
  project.provide("postgresAdminUrl", server.adminUrl);
  return () => server.dispose();
}
