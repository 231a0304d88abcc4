import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { createUserClient, type UserClient } from "../test/helpers/clients.js";
import { storeRows } from "../test/helpers/database.js";
import { startOwnPostgres } from "../test/helpers/embedded-postgres.js";
import { humanUser, ok } from "../test/helpers/fixtures.js";
import { freshDatabase } from "../test/helpers/postgres.js";
import { startReplicas } from "../test/helpers/replicas.js";
import { runCli, type TestServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";

const ROUNDS = pick(4, 24);
const USERS = 8;
const WRITERS = 6;

interface Acknowledged {
  userId: string;
  sequence: number;
  kind: "password" | "reset";
}

/** Writes through every replica; resolves with what was acknowledged once `stop` says so. */
function writeThrough(servers: TestServer[], adminToken: string, userIds: string[], round: number) {
  const acknowledged: Acknowledged[] = [];
  const refusals = new Map<string, number>();
  const clients: UserClient[] = servers.map((s) => createUserClient("grpc", s.baseUrl));
  let running = true;
  const writer = async (w: number) => {
    for (let i = 0; running; i++) {
      const userId = userIds[(w + i) % userIds.length]!;
      const client = clients[(w + i) % clients.length]!;
      const reset = i % 3 === 2;
      const result = reset
        ? await client.call("PasswordReset", { userId, returnCode: {} }, adminToken)
        : await client.call("SetPassword", { userId, newPassword: { password: `Crash-${round}-${w}-${i}-Passw0rd!` } }, adminToken);
      if (result.ok) acknowledged.push({ userId, sequence: Number(result.body.details.sequence), kind: reset ? "reset" : "password" });
      else {
        refusals.set(result.error.code, (refusals.get(result.error.code) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  return {
    acknowledged,
    refusals,
    async stop() {
      running = false;
      await Promise.all(writers);
      for (const c of clients) c.close();
    },
  };
}

const randomMoment = () => new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 300));

it(
  "keeps every acknowledged write across replicas killed and the database crashed under load",
  { timeout: pick(180_000, 900_000) },
  async () => {
    const postgres = await startOwnPostgres();
    const database = { url: await freshDatabase(postgres.adminUrl), secret: randomBytes(32).toString("base64url") };
    const replicas = await startReplicas(2, {}, database);
    const acknowledged: Acknowledged[] = [];
    const refusals = new Map<string, number>();
    let replicaKills = 0;
    let databaseCrashes = 0;
    try {
      const setup = createUserClient("grpc", replicas.servers[0]!.baseUrl);
      const userIds: string[] = [];
      for (let i = 0; i < USERS; i++) userIds.push(ok(await setup.call("AddHumanUser", humanUser(), replicas.adminToken)).userId);
      setup.close();

      let live = [...replicas.servers];
      for (let round = 0; round < ROUNDS; round++) {
        const load = writeThrough(live, replicas.adminToken, userIds, round);
        await randomMoment();
        if (round % 2 === 0) {
          // A replica dies; the other keeps serving, and a new one takes its place.
          const victim = live[round % live.length]!;
          await victim.stop("SIGKILL");
          replicaKills++;
          await randomMoment();
          await load.stop();
          live = [...live.filter((s) => s !== victim), await replicas.add()];
        } else {
          // The database crashes (no checkpoint) and recovers; the replicas reconnect by themselves.
          await postgres.crash();
          databaseCrashes++;
          await randomMoment();
          await postgres.start();
          await load.stop();
        }
        acknowledged.push(...load.acknowledged);
        for (const [code, n] of load.refusals) refusals.set(code, (refusals.get(code) ?? 0) + n);
      }

      // Every acknowledged write is in the log at the sequence it was acknowledged with.
      const dataDir = live[0]!.dataDir;
      const events = await storeRows<{ aggregate_id: string; sequence: number; event_type: string }>(
        dataDir,
        `SELECT aggregate_id, sequence, event_type FROM events WHERE aggregate_type = 'user'`,
      );
      const at = new Map(events.map((e) => [`${e.aggregate_id}#${e.sequence}`, e.event_type]));
      for (const ack of acknowledged) {
        const expected = ack.kind === "password" ? "user.human.password.changed" : "user.human.password.code.added";
        expect(at.get(`${ack.userId}#${ack.sequence}`), `${ack.kind} at ${ack.userId}#${ack.sequence}`).toBe(expected);
      }
      // Nothing half-applied: each projection is exactly as far as its log, read through a replica.
      const client = createUserClient("grpc", live[1]!.baseUrl);
      for (const userId of userIds) {
        const logged = Math.max(...events.filter((e) => e.aggregate_id === userId).map((e) => e.sequence));
        expect(Number(ok(await client.call("GetUserByID", { userId }, replicas.adminToken)).details.sequence)).toBe(logged);
      }
      client.close();
      // Failures during the outages told the caller to try again; none was Internal.
      for (const code of refusals.keys()) expect(["unavailable", "aborted"]).toContain(code);

      const projections = `SELECT user_id, sequence, password_hash, code_digest FROM users ORDER BY user_id`;
      const before = await storeRows(dataDir, projections);
      const rebuilt = await runCli(["rebuild-projections"], { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_SECRET: database.secret });
      expect(rebuilt.code).toBe(0);
      expect(await storeRows(dataDir, projections)).toEqual(before);
      expect(acknowledged.length).toBeGreaterThan(ROUNDS);
    } finally {
      await replicas.stop();
      await postgres.dispose();
    }
    report("replicas-crash-safety", {
      replica_kills: replicaKills,
      database_crashes: databaseCrashes,
      acknowledged_writes: acknowledged.length,
      refusals: [...refusals].map(([code, n]) => `${code}:${n}`).join(",") || "none",
    });
  },
);
