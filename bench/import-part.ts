// The `import` part of npm run bench: users with pre-made password hashes imported through the
// CLI (a client of ImportUsers) against a built server, beside the bench seeder writing the same
// users straight through the aggregate code, with the peak memory of the server and the CLI.
import { hash as argon2Hash } from "@node-rs/argon2";
import bcrypt from "bcrypt";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { startServer, tempDataDir, type TestServer } from "../test/helpers/server.js";
import { startOwnPostgres } from "../test/helpers/embedded-postgres.js";
import { freshDatabase } from "../test/helpers/postgres.js";
import { startReplicas } from "../test/helpers/replicas.js";
import { seedUsers } from "./seed.js";

const BUILT_CLI = join(import.meta.dirname, "..", "dist", "src", "main.js");
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export interface BenchTools {
  row(figure: string, value: string, ceiling: string, ratio: number | null, goal: string): void;
  progress(step: string): void;
  results: Record<string, unknown>;
}

/** An ndjson export of `count` users, each with this hash. */
async function exportFile(count: number, hash: string): Promise<string> {
  const path = join(tempDataDir(), "users.ndjson");
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const line = JSON.stringify({
      userId: `import-${i}`,
      username: `import-user-${i}`,
      profile: { givenName: "Import", familyName: `User ${i}` },
      email: { email: `import-user-${i}@example.com`, isVerified: true },
      hashedPassword: { hash },
    });
    if (!out.write(line + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return path;
}

/** Runs the built CLI on the file against the server: seconds taken and the CLI's peak RSS. */
async function importThroughCli(
  server: TestServer,
  file: string,
): Promise<{ seconds: number; cliPeak: number; serverPeak: number; summary: string }> {
  const started = performance.now();
  // As `npm run cli` runs it: a small young generation keeps a streaming command's heap small.
  const child = spawn(
    process.execPath,
    ["--max-semi-space-size=2", BUILT_CLI, "import-users", file, "--format", "ndjson", "--url", server.baseUrl],
    {
      env: { PATH: process.env.PATH ?? "", LATCHKEY_TOKEN: server.adminToken },
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  let summary = "";
  child.stdout.on("data", (d: Buffer) => (summary += d));
  let cliPeak = 0;
  let serverPeak = 0;
  const sample = setInterval(() => {
    try {
      cliPeak = Math.max(cliPeak, peakRss(child.pid!));
      serverPeak = Math.max(serverPeak, peakRss(server.process.pid!));
    } catch {} // the CLI just ended
  }, 200);
  const [code] = (await once(child, "exit")) as [number];
  clearInterval(sample);
  if (code !== 0) throw new Error(`import-users exited ${code}: ${summary}`);
  return {
    seconds: (performance.now() - started) / 1000,
    cliPeak,
    serverPeak: Math.max(serverPeak, peakRss(server.process.pid!)),
    summary: summary.trim(),
  };
}

export async function importPart(count: number, tools: BenchTools): Promise<void> {
  const hashes = {
    bcrypt: bcrypt.hashSync("Import-Passw0rd!", 10),
    argon2id: await argon2Hash("Import-Passw0rd!", { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  };
  const seededAt = performance.now();
  await seedUsers(tempDataDir(), count, "bcrypt-sha384:" + hashes.bcrypt);
  const seederRate = count / ((performance.now() - seededAt) / 1000);
  const figures: Record<string, unknown> = { seederRate };
  for (const [kind, hash] of Object.entries(hashes)) {
    const file = await exportFile(count, hash);
    const server = await startServer({ built: true, env: { LATCHKEY_BCRYPT_COST: "10", LATCHKEY_NOTIFY_PASSWORD_CHANGED: "false" } });
    try {
      const run = await importThroughCli(server, file);
      const rate = count / run.seconds;
      figures[kind] = { ...run, rate };
      tools.progress(`  import ${kind}: ${run.summary.split("\n")[0]} in ${run.seconds.toFixed(0)} s`);
      tools.row(
        `import ${count.toLocaleString("en")} users with ${kind} hashes (CLI → ImportUsers, SQLite), users/s`,
        rate.toFixed(0),
        `${seederRate.toFixed(0)} seeder`,
        rate / seederRate,
        "≥ 0.5, < 3 min",
      );
      tools.row(
        `  time, and peak RSS of the server / the CLI`,
        `${run.seconds.toFixed(0)} s`,
        `${MiB(run.serverPeak)} / ${MiB(run.cliPeak)}`,
        null,
        "< 400 / < 200 MiB",
      );
    } finally {
      await server.stop();
    }
  }
  figures.postgres = await onPostgres(count, hashes.bcrypt, tools);
  tools.results.import = figures;
}

/** The same import of bcrypt strings on PostgreSQL (one replica), reported. */
async function onPostgres(count: number, hash: string, tools: BenchTools): Promise<unknown> {
  const db = await startOwnPostgres();
  try {
    const database = { url: await freshDatabase(db.adminUrl), secret: randomBytes(32).toString("base64url") };
    const replicas = await startReplicas(1, { LATCHKEY_BCRYPT_COST: "10", LATCHKEY_NOTIFY_PASSWORD_CHANGED: "false" }, database);
    try {
      const run = await importThroughCli(replicas.servers[0]!, await exportFile(count, hash));
      const rate = count / run.seconds;
      tools.row(
        `PostgreSQL: import ${count.toLocaleString("en")} users with bcrypt hashes, users/s`,
        rate.toFixed(0),
        `${run.seconds.toFixed(0)} s`,
        null,
        "(reported)",
      );
      return { ...run, rate };
    } finally {
      await replicas.stop();
    }
  } finally {
    await db.dispose();
  }
}
