import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { LoadSpec } from "../bench/load.js";
import { createUserClient } from "../test/helpers/clients.js";
import { humanUser, ok } from "../test/helpers/fixtures.js";
import { startServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";

const SOAK_MS = pick(20_000, 300_000);
const SHARE = 0.7;

interface LoadResult {
  count: number;
  errors: number;
  firstError?: string;
  perSecond: number;
}

/** bench/load.ts in its own process, so the load does not share this process's event loop. */
function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "bench", "load.ts"), JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as LoadResult) : reject(new Error(`load exited ${code}`)),
    );
  });
}

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

it("runs at about 70 % of capacity with no errors and flat memory", { timeout: SOAK_MS + 120_000 }, async () => {
  const server = await startServer({ env: { LATCHKEY_NOTIFY_PASSWORD_CHANGED: "false" } });
  try {
    const client = createUserClient("grpc", server.baseUrl);
    const userIds: string[] = [];
    for (let i = 0; i < 50; i++) userIds.push(ok(await client.call("AddHumanUser", humanUser(), server.adminToken)).userId);
    client.close();
    const calls = (method: string, requests: unknown[]) => ({
      protocol: "grpc" as const,
      address: `127.0.0.1:${server.port}`,
      service: "zitadel.user.v2.UserService",
      token: server.adminToken,
      method,
      requests,
    });
    const reads = calls(
      "GetUserByID",
      userIds.map((userId) => ({ userId })),
    );
    const writes = calls(
      "PasswordReset",
      userIds.map((userId) => ({ userId, returnCode: {} })),
    );

    // Capacity: what a closed loop of each call gets out of the server right now.
    const [readCapacity, writeCapacity] = [
      await load({ ...reads, concurrency: 16, durationMs: 3000 }),
      await load({ ...writes, concurrency: 16, durationMs: 3000 }),
    ];
    // Half the time each: 70 % of capacity is 35 % of each call's own capacity, side by side.
    const readRate = Math.max(1, Math.floor((readCapacity.perSecond * SHARE) / 2));
    const writeRate = Math.max(1, Math.floor((writeCapacity.perSecond * SHARE) / 2));

    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rss(server.process.pid!)), 1000);
    const [read, write] = await Promise.all([
      load({ ...reads, concurrency: 1, rate: readRate, durationMs: SOAK_MS }),
      load({ ...writes, concurrency: 1, rate: writeRate, durationMs: SOAK_MS }),
    ]);
    clearInterval(sampler);

    expect(read.errors, read.firstError).toBe(0);
    expect(write.errors, write.firstError).toBe(0);
    // Flat memory: the last third of the run holds no more than the first third, give or take 25 %.
    // Medians, not means: one heap swelling before a full collection (seen up to 400 MiB for a
    // second, back to 210 MiB the next) is not growth, while a rising floor still shows.
    const third = Math.floor(samples.length / 3);
    const [early, late] = [median(samples.slice(0, third)), median(samples.slice(-third))];
    expect(late).toBeLessThan(early * 1.25);
    expect(server.process.exitCode).toBeNull();
    report("soak", {
      seconds: SOAK_MS / 1000,
      calls: read.count + write.count,
      errors: read.errors + write.errors,
      per_second: (read.perSecond + write.perSecond).toFixed(0),
      capacity_per_second: `${readCapacity.perSecond.toFixed(0)}+${writeCapacity.perSecond.toFixed(0)}`,
      rss_early_mib: (early / 2 ** 20).toFixed(0),
      rss_late_mib: (late / 2 ** 20).toFixed(0),
    });
  } finally {
    await server.stop();
  }
});
