import { describe, expect, it } from "vitest";
import { createUserClient, type CallResult } from "../test/helpers/clients.js";
import { storeRows } from "../test/helpers/database.js";
import { humanUser, ok } from "../test/helpers/fixtures.js";
import { startReplicas } from "../test/helpers/replicas.js";
import { startServer, type TestServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";

const ROUNDS = pick(3, 20);
const WRITERS = 30;

/** Where the writers write: one process on SQLite, or two replicas on one PostgreSQL database. */
const SETUPS = [
  {
    name: "one process on SQLite",
    start: async () => {
      const server = await startServer({ backend: "sqlite" });
      return { servers: [server], adminToken: server.adminToken, stop: () => server.stop().then(() => undefined) };
    },
  },
  { name: "two replicas on PostgreSQL", start: () => startReplicas(2) },
] satisfies Array<{ name: string; start: () => Promise<{ servers: TestServer[]; adminToken: string; stop(): Promise<void> }> }>;

describe.each(SETUPS)("races on $name", ({ name, start }) => {
  it("keeps one user consistent under many concurrent writers", { timeout: pick(120_000, 900_000) }, async () => {
    const { servers, adminToken, stop } = await start();
    const server = { dataDir: servers[0]!.dataDir, adminToken };
    const clients = servers.flatMap((s) => (["grpc", "grpc-web", "connect-json"] as const).map((p) => createUserClient(p, s.baseUrl)));
    let acknowledged = 0;
    let redeemed = 0;
    try {
      const userId = ok(await clients[0]!.call("AddHumanUser", humanUser(), server.adminToken)).userId as string;
      for (let round = 0; round < ROUNDS; round++) {
        const code = ok(await clients[0]!.call("PasswordReset", { userId, returnCode: {} }, server.adminToken)).verificationCode as string;
        const calls: Array<Promise<{ kind: string; result: CallResult }>> = Array.from({ length: WRITERS }, (_, i) => {
          const client = clients[i % clients.length]!;
          const password = { password: `Race-${round}-${i}-Passw0rd!` };
          const [kind, request, token] =
            i % 3 === 0
              ? (["change", { userId, newPassword: password }, server.adminToken] as const)
              : i % 3 === 1
                ? (["reset", { userId, returnCode: {} }, server.adminToken] as const)
                : (["redeem", { userId, newPassword: password, verificationCode: code }, undefined] as const);
          const method = kind === "reset" ? "PasswordReset" : "SetPassword";
          return client.call(method, request, token).then((result) => ({ kind, result }));
        });
        const results = await Promise.all(calls);
        {
          const events = await storeRows<{ sequence: number; event_type: string }>(
            server.dataDir,
            `SELECT sequence, event_type FROM events WHERE aggregate_id = ? ORDER BY sequence`,
            [userId],
          );
          // Gapless, and the projection is exactly as far as the log.
          expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
          const user = ok(await clients[0]!.call("GetUserByID", { userId }, server.adminToken));
          expect(Number(user.details.sequence)).toBe(events.length);
          const seen = new Set<number>();
          for (const { kind, result } of results) {
            if (!result.ok) {
              expect(kind).toBe("redeem"); // only a code can lose a race: it is single use
              expect(["failed_precondition", "invalid_argument"]).toContain(result.error.code);
              continue;
            }
            const sequence = Number(result.body.details.sequence);
            expect(seen.has(sequence), `two writes acknowledged at ${sequence}`).toBe(false);
            seen.add(sequence);
            const expected = kind === "reset" ? "user.human.password.code.added" : "user.human.password.changed";
            expect(events[sequence - 1]!.event_type).toBe(expected);
            acknowledged++;
            if (kind === "redeem") redeemed++;
          }
        }
      }
      expect(redeemed).toBeLessThanOrEqual(ROUNDS);
    } finally {
      for (const c of clients) c.close();
      await stop();
    }
    report("races", {
      setup: name.replaceAll(" ", "_"),
      rounds: ROUNDS,
      concurrent_writers: WRITERS,
      acknowledged_writes: acknowledged,
      codes_redeemed: redeemed,
    });
  });
});
