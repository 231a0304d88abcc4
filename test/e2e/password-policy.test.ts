import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient, type UserClient } from "../helpers/clients.js";
import { openDataDb } from "../helpers/database.js";
import { failure, humanUser, ok, unique } from "../helpers/fixtures.js";
import { runCli, startServer, tempDataDir, type TestServer } from "../helpers/server.js";

let server: TestServer;
let users: UserClient;
beforeAll(async () => {
  server = await startServer({ env: { LATCHKEY_PASSWORD_HISTORY: "3" } });
  users = createUserClient("grpc", server.baseUrl);
});
afterAll(async () => {
  users.close();
  await server.stop();
});

async function violationsFor(password: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const error = failure(
    await users.call("AddHumanUser", humanUser({ password: { password }, ...extra }), server.adminToken),
    "invalid_argument",
  );
  return error.violations.map((v) => v.description);
}

function storedHistory(dataDir: string, userId: string): string[] {
  const db = openDataDb(dataDir);
  try {
    return JSON.parse(db.prepare(`SELECT password_history FROM users WHERE user_id = ?`).pluck().get(userId) as string) as string[];
  } finally {
    db.close();
  }
}

describe("the stronger password policy", () => {
  it("refuses common passwords in any case", async () => {
    expect(await violationsFor("Password1")).toContain("must not be a commonly used password");
    expect(await violationsFor("QWERTY123")).toContain("must not be a commonly used password");
  });

  it("refuses passwords of digits only", async () => {
    expect(await violationsFor("12345678901234")).toContain("must not consist of numbers only");
  });

  it("refuses passwords containing the username, e-mail address or names", async () => {
    const username = unique("grace");
    const personal = "must not contain the username or e-mail address or names";
    expect(await violationsFor(`${username.toUpperCase()}-1!x`, { username })).toContain(personal);
    expect(await violationsFor("Xx1!-Hopperish", { profile: { givenName: "Grace", familyName: "Hopper" } })).toContain(personal);
    const local = unique("mailbox");
    expect(await violationsFor(`${local}-X1!`, { email: { email: `${local}@example.com` } })).toContain(personal);
  });

  it("refuses passwords too similar to the username, e-mail address or names", async () => {
    const username = "margaret.hamilton7"; // the password contains no name whole
    expect(await violationsFor("Margaret.Hamilton1", { username, profile: { givenName: "Peggy", familyName: "Hx" } })).toEqual([
      "must not be too similar to the username",
    ]);
  });

  it("refuses the last N passwords", async () => {
    const userId = ok(await users.call("AddHumanUser", humanUser({ password: { password: "First-Passw0rd!" } }), server.adminToken)).userId;
    const set = (password: string) => users.call("SetPassword", { userId, newPassword: { password } }, server.adminToken);
    ok(await set("Second-Passw0rd!"));
    ok(await set("Third-Passw0rd!"));
    const reused = failure(await set("First-Passw0rd!"), "invalid_argument", "PASSWORD_POLICY_VIOLATED");
    expect(reused.violations).toEqual([{ field: "new_password.password", description: "must not be one of the recently used passwords" }]);
    ok(await set("Fourth-Passw0rd!"));
    ok(await set("First-Passw0rd!")); // now four passwords back
    // The users projection keeps only the earlier hashes the rule needs: N - 1.
    expect(storedHistory(server.dataDir, userId)).toHaveLength(2);
  });

  it("keeps no earlier password hashes in the projection when the reuse rule is off", async () => {
    const plain = await startServer();
    try {
      const client = createUserClient("connect-json", plain.baseUrl);
      const userId = ok(await client.call("AddHumanUser", humanUser(), plain.adminToken)).userId;
      for (const password of ["Second-Passw0rd!", "Third-Passw0rd!"]) {
        ok(await client.call("SetPassword", { userId, newPassword: { password } }, plain.adminToken));
      }
      expect(storedHistory(plain.dataDir, userId)).toEqual([]);
    } finally {
      await plain.stop();
    }
  });

  it("treats a password typed in another Unicode form as the same password", async () => {
    const composed = "Caf\u00e9-Pa\u00dfwort-\uff11!"; // é, ß and a full-width 1
    const decomposed = "Cafe\u0301-Pa\u00dfwort-1!";
    const request = humanUser({ password: { password: composed } });
    const userId = ok(await users.call("AddHumanUser", request, server.adminToken)).userId;
    const sessions = createRpcClient("connect-json", server.baseUrl, SessionService);
    ok(await sessions.call("CreateSession", { checks: { user: { userId }, password: { password: decomposed } } }));
  });

  it("can be relaxed by configuration", async () => {
    const relaxed = await startServer({
      env: {
        LATCHKEY_PASSWORD_REJECT_COMMON: "false",
        LATCHKEY_PASSWORD_REJECT_NUMERIC: "false",
        LATCHKEY_PASSWORD_REJECT_PERSONAL: "false",
        LATCHKEY_PASSWORD_REQUIRE_SYMBOL: "false",
        LATCHKEY_PASSWORD_REQUIRE_UPPERCASE: "false",
        LATCHKEY_PASSWORD_REQUIRE_LOWERCASE: "false",
      },
    });
    const client = createUserClient("connect-json", relaxed.baseUrl);
    try {
      ok(await client.call("AddHumanUser", humanUser({ password: { password: "password1" } }), relaxed.adminToken));
      ok(await client.call("AddHumanUser", humanUser({ password: { password: "12345678901" } }), relaxed.adminToken));
    } finally {
      await relaxed.stop();
    }
  });
});

describe("API tokens for service accounts", () => {
  it("are made by the admin command with explicit permissions", async () => {
    const dataDir = tempDataDir();
    const created = await runCli(["token", "create", "--name", "reader", "--permissions", "user.read"], { LATCHKEY_DATA_DIR: dataDir });
    expect(created.code).toBe(0);
    const token = created.stdout.trim().split("\n").at(-1)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const refused = await runCli(["token", "create", "--permissions", "user.everything"], { LATCHKEY_DATA_DIR: dataDir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("unknown permissions: user.everything");

    const withTokens = await startServer({ dataDir });
    const client = createUserClient("connect-json", withTokens.baseUrl);
    try {
      const userId = ok(await client.call("AddHumanUser", humanUser(), withTokens.adminToken)).userId;
      ok(await client.call("GetUserByID", { userId }, token));
      failure(await client.call("AddHumanUser", humanUser(), token), "permission_denied");
      failure(await client.call("SetPassword", { userId, newPassword: { password: "N3w-Passw0rd!" } }, token), "permission_denied");
    } finally {
      await withTokens.stop();
    }
  });
});
