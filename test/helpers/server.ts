import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { databaseFor, projectBackend, type Backend } from "./postgres.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MAIN = join(ROOT, "src", "main.ts");
/** What `npm start` runs, once `npm run build` has made it. */
const BUILT_MAIN = join(ROOT, "dist", "src", "main.js");

export interface TestServer {
  port: number;
  baseUrl: string;
  adminToken: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  /** Set to null to start without LATCHKEY_ADMIN_TOKEN. */
  adminToken?: string | null;
  /** Extra flags for node, such as --cpu-prof. */
  nodeArgs?: string[];
  /** Run the build in dist/ as `npm start` does, rather than the sources through tsx. */
  built?: boolean;
  /** The store (default: this vitest project's); on PostgreSQL the data dir stands for a database of its own. */
  backend?: Backend;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "latchkey-test-"));
}

/** Runs the CLI to completion (for commands that exit), capturing its output. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, env: { ...baseEnv(), ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("LATCHKEY_")) env[k] = v;
  // Tests of rate limits and failure delays set their own; elsewhere they would only slow tests down.
  return {
    ...env,
    LATCHKEY_BCRYPT_COST: "4",
    LATCHKEY_RATE_LIMIT_PER_ADDRESS: "0",
    LATCHKEY_RATE_LIMIT_PER_USER: "0",
    LATCHKEY_FAILURE_DELAY: "0",
  };
}

/** What a server on this data dir needs to find its store: on PostgreSQL, its database and secret. */
export async function storeEnv(dataDir: string, backend: Backend = projectBackend()): Promise<Record<string, string>> {
  if (backend === "sqlite") return { LATCHKEY_DATA_DIR: dataDir };
  const { url, secret } = await databaseFor(dataDir);
  return { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_DATABASE_URL: url, LATCHKEY_SECRET: secret };
}

/** Starts the real server on port 0 and resolves once it logs that it listens. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const adminToken = options.adminToken === undefined ? randomBytes(32).toString("base64url") : options.adminToken;
  const env: Record<string, string> = { ...baseEnv(), LATCHKEY_PORT: "0", ...(await storeEnv(dataDir, options.backend)), ...options.env };
  if (adminToken !== null) env.LATCHKEY_ADMIN_TOKEN = adminToken;
  const entry = options.built ? [BUILT_MAIN] : ["--import", "tsx", MAIN];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], { cwd: ROOT, env });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      child.stdout.off("data", onOutput);
      child.stdout.on("data", (d: Buffer) => (output += d));
      const port = (JSON.parse(line) as { port: number }).port;
      const tls = env.LATCHKEY_TLS_CERT !== undefined;
      resolve({
        port,
        baseUrl: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
        adminToken: adminToken ?? "",
        dataDir,
        process: child,
        output: () => output,
        stop: (signal = "SIGTERM") => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", (d: Buffer) => (output += d));
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
}

/** Waits until the server's output contains `text` at least `count` times: its own word that something happened. */
export function untilOutput(server: TestServer, text: string, count = 1): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (server.output().split(text).length - 1 < count) return;
      server.process.stdout!.off("data", check);
      server.process.stderr!.off("data", check);
      resolve();
    };
    // Registered after the listener that collects output, so each check sees the newest chunk.
    server.process.stdout!.on("data", check);
    server.process.stderr!.on("data", check);
    check();
  });
}
