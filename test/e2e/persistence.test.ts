import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient, type UserClient } from "../helpers/clients.js";
import { openDataDb } from "../helpers/database.js";
import { failure, humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { filesContaining } from "../helpers/scan.js";
import { runCli, startServer, tempDataDir, type TestServer } from "../helpers/server.js";

const PROJECTIONS = ["users", "login_names", "orgs", "sessions"];

function dumpProjections(dataDir: string): Record<string, unknown[]> {
  const db = openDataDb(dataDir);
  try {
    return Object.fromEntries(PROJECTIONS.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]));
  } finally {
    db.close();
  }
}

describe("a data dir across restarts", () => {
  const dataDir = tempDataDir();
  const adminToken = "persistence-admin-token-0123456789-abcdefghijklmnopqrstuvwxyz";
  const secrets: string[] = [STRONG_PASSWORD, OTHER_PASSWORD, adminToken];
  let output = "";
  let server: TestServer;
  let client: UserClient;
  let userId: string;
  let openCode: string;
  let codeUser: string;

  beforeAll(async () => {
    server = await startServer({ dataDir, adminToken });
    client = createUserClient("grpc", server.baseUrl);
    userId = ok(await client.call("AddHumanUser", humanUser(), adminToken)).userId;
    ok(
      await client.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD }, currentPassword: STRONG_PASSWORD }, adminToken),
    );
    codeUser = ok(await client.call("AddHumanUser", humanUser(), adminToken)).userId;
    openCode = ok(await client.call("PasswordReset", { userId: codeUser, returnCode: {} }, adminToken)).verificationCode;
    const linkCode = ok(await client.call("PasswordReset", { userId, returnCode: {} }, adminToken)).verificationCode;
    ok(await client.call("PasswordReset", { userId }, adminToken)); // a queued link: its code is sealed in the outbox
    const used = ok(await client.call("AddHumanUser", humanUser(), adminToken)).userId;
    const usedCode = ok(await client.call("PasswordReset", { userId: used, returnCode: {} }, adminToken)).verificationCode;
    ok(await client.call("SetPassword", { userId: used, newPassword: { password: "Via-C0de-Reset!" }, verificationCode: usedCode }));
    const sessions = createRpcClient("grpc", server.baseUrl, SessionService);
    const session = ok(
      await sessions.call("CreateSession", { checks: { user: { userId: used }, password: { password: "Via-C0de-Reset!" } } }),
    );
    failure(
      await sessions.call("CreateSession", { checks: { user: { userId: used }, password: { password: "Wr0ng-Guess!" } } }),
      "invalid_argument",
    );
    sessions.close();
    secrets.push(openCode, linkCode, usedCode, "Via-C0de-Reset!", session.sessionToken, "Wr0ng-Guess!");
    client.close();
    expect(await server.stop("SIGTERM")).toBe(0);
    output += server.output();
  });

  afterAll(async () => {
    await server.stop("SIGKILL");
  });

  it("keeps every user, password and open code after a restart", async () => {
    server = await startServer({ dataDir, adminToken });
    client = createUserClient("connect-json", server.baseUrl);
    try {
      const user = ok(await client.call("GetUserByID", { userId }, adminToken));
      expect(user.details.sequence).toBe("4"); // added, changed, two resets
      failure(
        await client.call(
          "SetPassword",
          { userId, newPassword: { password: "An0ther-Pass!" }, currentPassword: STRONG_PASSWORD },
          adminToken,
        ),
        "invalid_argument",
      );
      ok(
        await client.call(
          "SetPassword",
          { userId, newPassword: { password: "An0ther-Pass!" }, currentPassword: OTHER_PASSWORD },
          adminToken,
        ),
      );
      ok(await client.call("SetPassword", { userId: codeUser, newPassword: { password: "Fr0m-Old-Code!" }, verificationCode: openCode }));
      secrets.push("An0ther-Pass!", "Fr0m-Old-Code!");
    } finally {
      client.close();
      expect(await server.stop()).toBe(0);
      output += server.output();
    }
  });

  it("rebuilds projections from the events alone into exactly the live state", async () => {
    const live = dumpProjections(dataDir);
    expect(live.users!.length).toBe(3);
    expect(live.login_names!.length).toBe(6);
    expect(live.orgs!.length).toBe(1);
    expect(live.sessions!.length).toBe(1);
    const rebuild = await runCli(["rebuild-projections"], { LATCHKEY_DATA_DIR: dataDir });
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain('"msg":"projections rebuilt"');
    expect(dumpProjections(dataDir)).toEqual(live);
  });

  it("leaves no plaintext password, code or token in the data dir or the server's output", () => {
    expect(output).toContain('"msg":"password reset link queued"');
    for (const secret of secrets) {
      expect(filesContaining(dataDir, secret), `secret found in data dir`).toEqual([]);
      expect(output.includes(secret), `secret found in output`).toBe(false);
    }
  });
});
