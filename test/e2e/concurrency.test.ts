import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient, PROTOCOLS, type CallResult } from "../helpers/clients.js";
import { eventTypes } from "../helpers/database.js";
import { humanUser, ok, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

describe("one session ended once", () => {
  it("of many simultaneous DeleteSession calls, one ends it and the others answer NotFound, never Internal", async () => {
    const clients = PROTOCOLS.map((p) => createRpcClient<"CreateSession" | "DeleteSession">(p, server.baseUrl, SessionService));
    const users = createUserClient("grpc", server.baseUrl);
    try {
      const userId = ok(await users.call("AddHumanUser", humanUser(), server.adminToken)).userId as string;
      for (let round = 0; round < 3; round++) {
        const { sessionId } = ok(
          await clients[0]!.call("CreateSession", { checks: { user: { userId }, password: { password: STRONG_PASSWORD } } }),
        );
        const deletes = await Promise.all(
          Array.from({ length: 16 }, (_, i) => clients[i % clients.length]!.call("DeleteSession", { sessionId }, server.adminToken)),
        );
        expect(deletes.filter((d) => d.ok)).toHaveLength(1);
        for (const d of deletes) if (!d.ok) expect([d.error.code, d.error.reason]).toEqual(["not_found", "SESSION_NOT_FOUND"]);
        expect((await eventTypes(server.dataDir, sessionId)).filter((t) => t === "session.terminated")).toHaveLength(1);
      }
    } finally {
      users.close();
      for (const c of clients) c.close();
    }
  });
});

describe("single-use codes under concurrency", () => {
  it("of many simultaneous SetPassword calls with one code, exactly one succeeds", async () => {
    const clients = PROTOCOLS.map((p) => createUserClient(p, server.baseUrl));
    try {
      const admin = clients[0]!;
      for (let round = 0; round < 3; round++) {
        const userId = ok(await admin.call("AddHumanUser", humanUser(), server.adminToken)).userId as string;
        const code = ok(await admin.call("PasswordReset", { userId, returnCode: {} }, server.adminToken)).verificationCode as string;
        const attempts = Array.from({ length: 24 }, (_, i) =>
          clients[i % clients.length]!.call("SetPassword", {
            userId,
            newPassword: { password: `Race-${i}-Passw0rd!` },
            verificationCode: code,
          }),
        );
        const results: CallResult[] = await Promise.all(attempts);
        const winners = results.filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        for (const r of results) {
          if (!r.ok) expect([r.error.code, r.error.reason]).toEqual(["invalid_argument", "CODE_INVALID"]);
        }
        expect((await eventTypes(server.dataDir, userId)).filter((t) => t === "user.human.password.changed")).toHaveLength(1);
        const user = ok(await admin.call("GetUserByID", { userId }, server.adminToken));
        expect(user.details.sequence).toBe("3");
      }
    } finally {
      for (const c of clients) c.close();
    }
  });

  it("concurrent password changes on one user leave a gapless sequence with every acknowledged change", async () => {
    const client = createUserClient("grpc", server.baseUrl);
    try {
      const userId = ok(await client.call("AddHumanUser", humanUser(), server.adminToken)).userId as string;
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          client.call("SetPassword", { userId, newPassword: { password: `Parallel-${i}-Passw0rd!` } }, server.adminToken),
        ),
      );
      const sequences = results.map((r) => Number(ok(r).details.sequence)).sort((a, b) => a - b);
      expect(sequences).toEqual(Array.from({ length: 16 }, (_, i) => i + 2));
      expect(await eventTypes(server.dataDir, userId)).toHaveLength(17);
    } finally {
      client.close();
    }
  });
});
