import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { SessionService } from "../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient, type UserClient } from "../test/helpers/clients.js";
import { openDataDb } from "../test/helpers/database.js";
import { humanUser, ok } from "../test/helpers/fixtures.js";
import { runCli, startServer, tempDataDir, type TestServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";

const KILLS = pick(5, 40);
const USERS = 8;
const WRITERS = 6;
const ADMIN = "crash-safety-admin-token-" + randomBytes(32).toString("base64url");

interface Acknowledged {
  userId: string;
  sequence: number;
  kind: "password" | "reset";
  password?: string;
}

/** Writes until the server dies under it; returns what the server acknowledged. */
async function writeUntilKilled(server: TestServer, userIds: string[], round: number): Promise<Acknowledged[]> {
  const acknowledged: Acknowledged[] = [];
  const client = createUserClient("grpc", server.baseUrl);
  let alive = true;
  const writer = async (w: number) => {
    for (let i = 0; alive; i++) {
      const userId = userIds[(w + i) % userIds.length]!;
      if (i % 3 === 2) {
        const result = await client.call("PasswordReset", { userId, returnCode: {} }, ADMIN);
        if (result.ok) acknowledged.push({ userId, sequence: Number(result.body.details.sequence), kind: "reset" });
        else alive = false;
      } else {
        const password = `Crash-${round}-${w}-${i}-Passw0rd!`;
        const result = await client.call("SetPassword", { userId, newPassword: { password } }, ADMIN);
        if (result.ok) acknowledged.push({ userId, sequence: Number(result.body.details.sequence), kind: "password", password });
        else alive = false;
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 250)); // a random moment to die
  await server.stop("SIGKILL");
  await Promise.all(writers);
  client.close();
  return acknowledged;
}

function dump(dataDir: string): Record<string, unknown[]> {
  const db = openDataDb(dataDir);
  try {
    return Object.fromEntries(
      ["users", "login_names", "orgs", "sessions"].map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]),
    );
  } finally {
    db.close();
  }
}

it("keeps every acknowledged write and half-applies nothing across SIGKILLs", { timeout: pick(120_000, 900_000) }, async () => {
  const dataDir = tempDataDir();
  let server = await startServer({ dataDir, adminToken: ADMIN });
  const setup = createUserClient("grpc", server.baseUrl);
  const userIds: string[] = [];
  for (let i = 0; i < USERS; i++) userIds.push(ok(await setup.call("AddHumanUser", humanUser(), ADMIN)).userId);
  setup.close();
  await server.stop();

  const acknowledged: Acknowledged[] = [];
  for (let round = 0; round < KILLS; round++) {
    server = await startServer({ dataDir, adminToken: ADMIN });
    acknowledged.push(...(await writeUntilKilled(server, userIds, round)));
  }

  server = await startServer({ dataDir, adminToken: ADMIN });
  const client: UserClient = createUserClient("grpc", server.baseUrl);
  const sessions = createRpcClient("grpc", server.baseUrl, SessionService);
  const db = openDataDb(dataDir);
  let verified = 0;
  try {
    const eventAt = db.prepare(`SELECT event_type FROM events WHERE aggregate_type = 'user' AND aggregate_id = ? AND sequence = ?`).pluck();
    for (const ack of acknowledged) {
      const expected = ack.kind === "password" ? "user.human.password.changed" : "user.human.password.code.added";
      expect(eventAt.get(ack.userId, ack.sequence), `${ack.kind} at ${ack.userId}#${ack.sequence}`).toBe(expected);
      verified++;
    }
    for (const userId of userIds) {
      // The projection is exactly as far as the event log: nothing half-applied.
      const logged = db.prepare(`SELECT MAX(sequence) FROM events WHERE aggregate_id = ?`).pluck().get(userId) as number;
      const user = ok(await client.call("GetUserByID", { userId }, ADMIN));
      expect(Number(user.details.sequence)).toBe(logged);
      // The last acknowledged password works, unless a later (unacknowledged) change also landed.
      const lastAck = acknowledged.filter((a) => a.userId === userId && a.kind === "password").at(-1);
      const lastChange = db
        .prepare(`SELECT MAX(sequence) FROM events WHERE aggregate_id = ? AND event_type = 'user.human.password.changed'`)
        .pluck()
        .get(userId) as number;
      if (lastAck && lastAck.sequence === lastChange) {
        ok(await sessions.call("CreateSession", { checks: { user: { userId }, password: { password: lastAck.password! } } }, ADMIN));
        verified++;
      }
    }
  } finally {
    db.close();
    client.close();
    sessions.close();
    await server.stop();
  }

  const live = dump(dataDir);
  expect((await runCli(["rebuild-projections"], { LATCHKEY_DATA_DIR: dataDir })).code).toBe(0);
  expect(dump(dataDir)).toEqual(live);
  expect(acknowledged.length).toBeGreaterThan(KILLS);
  report("crash-safety", { kills_survived: KILLS, acknowledged_writes: acknowledged.length, checks_verified: verified });
});
