import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { SettingsService } from "../../gen/zitadel/settings/v2/settings_service_pb.js";
import { clientFor, PROTOCOLS } from "../helpers/clients.js";
import { eventTypes } from "../helpers/database.js";
import { failure, humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { LATCHKEY_MAX_PASSWORD_ATTEMPTS: "3" } });
});
afterAll(async () => {
  await server.stop();
});

describe.each(PROTOCOLS)("lockout over %s", (protocol) => {
  const users = clientFor(protocol, () => server);
  const sessions = clientFor<"CreateSession">(protocol, () => server, SessionService);
  const settings = clientFor<"GetLockoutSettings" | "GetPasswordComplexitySettings">(protocol, () => server, SettingsService);

  const newUser = async () => ok(await users.call("AddHumanUser", humanUser(), users.admin)).userId as string;
  const login = (search: { userId: string } | { loginName: string }, password: string) =>
    sessions.call("CreateSession", { checks: { user: search, password: { password } } });

  it("locks a user after the configured failures, even against the right password", async () => {
    const userId = await newUser();
    for (const attempt of [1, 2, 3]) {
      expect(failure(await login({ userId }, "Wrong-Passw0rd!"), "invalid_argument", "LOGIN_FAILED").failedAttempts).toBe(attempt);
    }
    const locked = failure(await login({ userId }, STRONG_PASSWORD), "failed_precondition", "USER_LOCKED");
    expect(locked.message).toMatch(/locked/);
    const viaCurrent = { userId, newPassword: { password: OTHER_PASSWORD }, currentPassword: STRONG_PASSWORD };
    failure(await users.call("SetPassword", viaCurrent, users.admin), "failed_precondition", "USER_LOCKED");
    expect(await eventTypes(server.dataDir, userId)).toContain("user.locked");
  });

  it("answers an unknown login name exactly like that, failure for failure", async () => {
    const known = await newUser();
    const name = unique("ghost");
    for (let i = 0; i < 4; i++) {
      const real = failure(await login({ userId: known }, "Wrong-Passw0rd!"), i < 3 ? "invalid_argument" : "failed_precondition");
      const ghost = failure(await login({ loginName: name }, "Wrong-Passw0rd!"), real.code);
      expect(ghost).toEqual(real);
    }
  });

  it("counts failures by the name used, so answers do not link a username to its e-mail address", async () => {
    const user = humanUser();
    const userId = ok(await users.call("AddHumanUser", user, users.admin)).userId;
    const email = (user.email as { email: string }).email;
    expect(failure(await login({ loginName: user.username as string }, "Wrong-Passw0rd!"), "invalid_argument").failedAttempts).toBe(1);
    expect(failure(await login({ loginName: user.username as string }, "Wrong-Passw0rd!"), "invalid_argument").failedAttempts).toBe(2);
    // As a name nobody has would answer: its own first failure.
    expect(failure(await login({ loginName: email }, "Wrong-Passw0rd!"), "invalid_argument").failedAttempts).toBe(1);
    expect(failure(await login({ loginName: unique("nobody") }, "Wrong-Passw0rd!"), "invalid_argument").failedAttempts).toBe(1);
    // The account's own count (3) still locks it, under every name.
    failure(await login({ userId }, STRONG_PASSWORD), "failed_precondition", "USER_LOCKED");
  });

  it("counts consecutive failures only: a success resets the count", async () => {
    const userId = await newUser();
    failure(await login({ userId }, "Wrong-Passw0rd!"), "invalid_argument");
    failure(await login({ userId }, "Wrong-Passw0rd!"), "invalid_argument");
    ok(await login({ userId }, STRONG_PASSWORD));
    expect(failure(await login({ userId }, "Wrong-Passw0rd!"), "invalid_argument").failedAttempts).toBe(1);
    ok(await login({ userId }, STRONG_PASSWORD));
  });

  it("counts wrong current passwords in SetPassword too", async () => {
    const userId = await newUser();
    const change = (current: string) =>
      users.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD }, currentPassword: current }, users.admin);
    for (const attempt of [1, 2, 3])
      expect(failure(await change("Wrong-Passw0rd!"), "invalid_argument", "PASSWORD_INVALID").failedAttempts).toBe(attempt);
    failure(await change(STRONG_PASSWORD), "failed_precondition", "USER_LOCKED");
  });

  it("is lifted by an administrator, and set by one", async () => {
    const userId = await newUser();
    const locked = ok(await users.call("LockUser", { userId }, users.admin));
    expect(locked.details.sequence).toBe("2");
    failure(await users.call("LockUser", { userId }, users.admin), "failed_precondition", "USER_LOCKED");
    failure(await login({ userId }, STRONG_PASSWORD), "failed_precondition", "USER_LOCKED");
    ok(await users.call("UnlockUser", { userId }, users.admin));
    failure(await users.call("UnlockUser", { userId }, users.admin), "failed_precondition", "USER_NOT_LOCKED");
    ok(await login({ userId }, STRONG_PASSWORD));
    failure(await users.call("LockUser", { userId }), "unauthenticated");
    failure(await users.call("LockUser", { userId: "no-such-user" }, users.admin), "not_found");
  });

  it("is lifted by a password reset with a code", async () => {
    const userId = await newUser();
    for (let i = 0; i < 3; i++) failure(await login({ userId }, "Wrong-Passw0rd!"), "invalid_argument");
    failure(await login({ userId }, STRONG_PASSWORD), "failed_precondition");
    const code = ok(await users.call("PasswordReset", { userId, returnCode: {} }, users.admin)).verificationCode;
    ok(await users.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code }));
    ok(await login({ userId }, OTHER_PASSWORD));
  });

  it("set by an administrator, holds through a reset by code, and suspends the user's sessions", async () => {
    const userId = await newUser();
    const { sessionToken } = ok(await login({ userId }, STRONG_PASSWORD));
    ok(await users.call("GetUserByID", { userId }, sessionToken));
    ok(await users.call("LockUser", { userId }, users.admin));
    failure(await users.call("GetUserByID", { userId }, sessionToken), "unauthenticated");
    const code = ok(await users.call("PasswordReset", { userId, returnCode: {} }, users.admin)).verificationCode;
    ok(await users.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code }));
    failure(await login({ userId }, OTHER_PASSWORD), "failed_precondition", "USER_LOCKED");
    ok(await users.call("UnlockUser", { userId }, users.admin));
    ok(await login({ userId }, OTHER_PASSWORD));
  });

  it("publishes the lockout and complexity settings to anyone", async () => {
    const lockout = ok(await settings.call("GetLockoutSettings", {}));
    expect(lockout.settings).toEqual({ maxPasswordAttempts: "3", resourceOwnerType: "RESOURCE_OWNER_TYPE_INSTANCE" });
    const complexity = ok(await settings.call("GetPasswordComplexitySettings", {}));
    expect(complexity.settings).toEqual({
      minLength: "8",
      requiresUppercase: true,
      requiresLowercase: true,
      requiresNumber: true,
      requiresSymbol: true,
      resourceOwnerType: "RESOURCE_OWNER_TYPE_INSTANCE",
    });
  });
});

describe("a password lockout with a duration", () => {
  it("ends by itself, and the owner's session works again", async () => {
    const timed = await startServer({ env: { LATCHKEY_MAX_PASSWORD_ATTEMPTS: "2", LATCHKEY_LOCKOUT_DURATION: "1s" } });
    const { createRpcClient, createUserClient } = await import("../helpers/clients.js");
    const users = createUserClient("connect-json", timed.baseUrl);
    const sessions = createRpcClient("connect-json", timed.baseUrl, SessionService);
    const login = (userId: string, password: string) =>
      sessions.call("CreateSession", { checks: { user: { userId }, password: { password } } });
    try {
      const userId = ok(await users.call("AddHumanUser", humanUser(), timed.adminToken)).userId;
      const { sessionToken } = ok(await login(userId, STRONG_PASSWORD));
      for (let i = 0; i < 2; i++) failure(await login(userId, "Wrong-Passw0rd!"), "invalid_argument");
      const lockedAt = performance.now();
      failure(await login(userId, STRONG_PASSWORD), "failed_precondition", "USER_LOCKED");
      failure(await users.call("GetUserByID", { userId }, sessionToken), "unauthenticated");
      // The lockout's own duration is what is tested here: wait it out.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_100 - (performance.now() - lockedAt))));
      ok(await users.call("GetUserByID", { userId }, sessionToken));
      ok(await login(userId, STRONG_PASSWORD));
      expect(await eventTypes(timed.dataDir, userId)).toContain("user.unlocked");
    } finally {
      users.close();
      sessions.close();
      await timed.stop();
    }
  });
});

describe("lockout turned off", () => {
  it("never locks with LATCHKEY_MAX_PASSWORD_ATTEMPTS=0", async () => {
    const unlimited = await startServer({
      env: { LATCHKEY_MAX_PASSWORD_ATTEMPTS: "0", LATCHKEY_PASSWORD_MIN_LENGTH: "12", LATCHKEY_PASSWORD_REQUIRE_SYMBOL: "false" },
    });
    const { createRpcClient, createUserClient } = await import("../helpers/clients.js");
    const users = createUserClient("connect-json", unlimited.baseUrl);
    const sessions = createRpcClient("connect-json", unlimited.baseUrl, SessionService);
    const settings = createRpcClient("connect-json", unlimited.baseUrl, SettingsService);
    try {
      const userId = ok(
        await users.call("AddHumanUser", humanUser({ password: { password: "LongEnough12345" } }), unlimited.adminToken),
      ).userId;
      for (let i = 0; i < 12; i++) {
        failure(
          await sessions.call("CreateSession", { checks: { user: { userId }, password: { password: "Wrong-Passw0rd!" } } }),
          "invalid_argument",
        );
      }
      ok(await sessions.call("CreateSession", { checks: { user: { userId }, password: { password: "LongEnough12345" } } }));
      expect(ok(await settings.call("GetLockoutSettings", {})).settings.maxPasswordAttempts).toBeUndefined(); // 0 is the default
      expect(ok(await settings.call("GetPasswordComplexitySettings", {})).settings).toMatchObject({
        minLength: "12",
        requiresUppercase: true,
      });
      expect(ok(await settings.call("GetPasswordComplexitySettings", {})).settings.requiresSymbol).toBeUndefined();
    } finally {
      await unlimited.stop();
    }
  });
});
