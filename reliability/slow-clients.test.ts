import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { createUserClient } from "../test/helpers/clients.js";
import { humanUser, ok } from "../test/helpers/fixtures.js";
import { startServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";
import type { StallReport } from "./stalls.js";

const TIMEOUT_MS = 5_000;
const EACH = pick(50, 400);
const STALLS_SCRIPT = fileURLToPath(new URL("./stalls.ts", import.meta.url));

/*
 * The stalls come from a process of their own: opened in this one, 1,600 connections kept this
 * process's event loop so busy that the real call below took over a second here, however fast
 * the server answered it (measured apart, the server's answer took under 100 ms).
 */
it("lets go of stalled connections and streams at their deadlines, and serves others meanwhile", { timeout: 120_000 }, async () => {
  const server = await startServer({
    env: { LATCHKEY_IDLE_TIMEOUT: `${TIMEOUT_MS}ms`, LATCHKEY_REQUEST_TIMEOUT: `${TIMEOUT_MS}ms` },
  });
  const users = createUserClient("connect-json", server.baseUrl);
  try {
    const userId = ok(await users.call("AddHumanUser", humanUser(), server.adminToken)).userId;
    const started = performance.now();
    const stalls = fork(STALLS_SCRIPT, [], {
      env: { ...process.env, STALL_PORT: String(server.port), STALL_EACH: String(EACH) },
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const reports: StallReport[] = [];
    const next = () => new Promise<StallReport>((resolve) => stalls.once("message", (m: StallReport) => resolve(m)));
    const exited = new Promise<number | null>((resolve) => stalls.once("exit", resolve));
    reports.push(await next());
    const released = next();
    // While every stall is held, real calls are answered at once.
    const served: number[] = [];
    for (let i = 0; i < 5; i++) {
      const during = performance.now();
      expect(ok(await users.call("GetUserByID", { userId }, server.adminToken)).user.userId).toBe(userId);
      served.push(performance.now() - during);
    }
    const heldMs = performance.now() - started;
    reports.push(await released);
    expect(await exited).toBe(0);
    const releasedMs = performance.now() - started;
    expect(reports[0]).toEqual({ held: EACH * 4, failed: 0 });
    // The calls were made while the stalls were held, not after the server let them go.
    expect(heldMs).toBeLessThan(TIMEOUT_MS);
    expect(releasedMs).toBeLessThan(TIMEOUT_MS * 2 + 3_000);
    expect(Math.max(...served)).toBeLessThan(1_000);
    expect(server.process.exitCode).toBeNull();
    const figures = Object.fromEntries(
      Object.entries((reports[1] as { released: Record<string, number> }).released).map(([name, s]) => [
        `${name.replaceAll(" ", "_")}_released_s`,
        s.toFixed(1),
      ]),
    );
    report("slow-clients", {
      stalls: EACH * 4,
      held_after_s: (heldMs / 1000).toFixed(1),
      ...figures,
      slowest_call_during_stalls_ms: Math.max(...served).toFixed(0),
    });
  } finally {
    users.close();
    await server.stop();
  }
});
