import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { clientFor, PROTOCOLS } from "../helpers/clients.js";
import { failure, humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

type SessionMethod = "CreateSession" | "GetSession" | "DeleteSession";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

describe.each(PROTOCOLS)("sessions over %s", (protocol) => {
  const users = clientFor(protocol, () => server);
  const sessions = clientFor<SessionMethod>(protocol, () => server, SessionService);

  async function newUser(): Promise<{ userId: string; username: string; email: string }> {
    const request = humanUser();
    const userId = ok(await users.call("AddHumanUser", request, users.admin)).userId as string;
    return { userId, username: request.username as string, email: (request.email as { email: string }).email };
  }
  const login = (user: { userId: string } | { loginName: string }, password: string, extra: Record<string, unknown> = {}) =>
    sessions.call("CreateSession", { checks: { user, password: { password } }, ...extra } as never);
  const getSession = (sessionId: string, sessionToken?: string) =>
    sessions.call("GetSession", sessionToken ? { sessionId, sessionToken } : { sessionId });

  it("logs in by username, e-mail in any case, or user id, and reads the session with its token", async () => {
    const user = await newUser();
    for (const search of [{ loginName: user.username }, { loginName: user.email.toUpperCase() }, { userId: user.userId }]) {
      const before = Date.now();
      const created = ok(await login(search, STRONG_PASSWORD));
      expect(created.sessionId).toMatch(/^\d+$/);
      expect(created.sessionToken.length).toBeGreaterThanOrEqual(40);
      expect(created.details).toMatchObject({ sequence: "1", resourceOwner: expect.stringMatching(/^\d+$/) });
      const { session } = ok(await getSession(created.sessionId, created.sessionToken));
      expect(session).toMatchObject({ id: created.sessionId, sequence: "1" });
      expect(session.factors.user).toMatchObject({ id: user.userId, loginName: user.username, displayName: "Ada Lovelace" });
      expect(session.factors.password.verifiedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(session.expirationDate - session.creationDate).toBe(12 * 3600 * 1000);
    }
  });

  it("answers a wrong password and an unknown login name alike, counting failures", async () => {
    const user = await newUser();
    const missing = unique("nobody");
    for (const attempt of [1, 2]) {
      const wrong = failure(await login({ loginName: user.username }, "Wrong-Passw0rd!"), "invalid_argument", "LOGIN_FAILED");
      const unknown = failure(await login({ loginName: missing }, "Wrong-Passw0rd!"), "invalid_argument", "LOGIN_FAILED");
      expect(unknown).toEqual(wrong);
      expect(wrong.failedAttempts).toBe(attempt);
    }
  });

  it("requires a user and a password check", async () => {
    const error = failure(await sessions.call("CreateSession", {}), "invalid_argument");
    expect(error.violations.map((v) => v.field)).toEqual(["checks.user", "checks.password"]);
    failure(await sessions.call("CreateSession", { checks: { user: { loginName: "x" } } }), "invalid_argument");
  });

  it("lets the session's own token read and delete it, and nobody else without privilege", async () => {
    const user = await newUser();
    const other = await newUser();
    const mine = ok(await login({ userId: user.userId }, STRONG_PASSWORD));
    const theirs = ok(await login({ userId: other.userId }, STRONG_PASSWORD));
    ok(await getSession(mine.sessionId, mine.sessionToken));
    ok(await sessions.call("GetSession", { sessionId: mine.sessionId }, mine.sessionToken)); // token as bearer
    failure(await getSession(mine.sessionId), "unauthenticated");
    failure(await getSession(mine.sessionId, theirs.sessionToken), "permission_denied");
    failure(await sessions.call("GetSession", { sessionId: mine.sessionId }, theirs.sessionToken), "permission_denied");
    ok(await sessions.call("GetSession", { sessionId: mine.sessionId }, sessions.admin));

    const deleted = ok(await sessions.call("DeleteSession", { sessionId: mine.sessionId, sessionToken: mine.sessionToken }));
    expect(deleted.details.sequence).toBe("2");
    failure(await getSession(mine.sessionId, mine.sessionToken), "not_found", "SESSION_NOT_FOUND");
    failure(await users.call("GetUserByID", { userId: user.userId }, mine.sessionToken), "unauthenticated");
    ok(await sessions.call("DeleteSession", { sessionId: theirs.sessionId }, sessions.admin));
    failure(await sessions.call("GetSession", { sessionId: theirs.sessionId }, sessions.admin), "not_found");
  });

  it("ends a session after its lifetime, never later than configured", async () => {
    const user = await newUser();
    const short = ok(await login({ userId: user.userId }, STRONG_PASSWORD, { lifetime: "0.001s" }));
    await new Promise((resolve) => setTimeout(resolve, 5)); // let the 1 ms lifetime pass
    failure(await getSession(short.sessionId, short.sessionToken), "not_found", "SESSION_NOT_FOUND");
    const long = ok(await login({ userId: user.userId }, STRONG_PASSWORD, { lifetime: "864000s" }));
    const { session } = ok(await getSession(long.sessionId, long.sessionToken));
    expect(session.expirationDate - session.creationDate).toBe(12 * 3600 * 1000);
  });

  it("lets a user read itself and change its own password with a session, nothing else", async () => {
    const user = await newUser();
    const other = await newUser();
    const { sessionToken } = ok(await login({ userId: user.userId }, STRONG_PASSWORD));
    expect(ok(await users.call("GetUserByID", { userId: user.userId }, sessionToken)).user.userId).toBe(user.userId);
    failure(await users.call("GetUserByID", { userId: other.userId }, sessionToken), "permission_denied");
    const change = { newPassword: { password: OTHER_PASSWORD }, currentPassword: STRONG_PASSWORD };
    failure(await users.call("SetPassword", { userId: other.userId, ...change }, sessionToken), "permission_denied");
    failure(
      await users.call("SetPassword", { userId: user.userId, newPassword: { password: OTHER_PASSWORD } }, sessionToken),
      "permission_denied",
    );
    failure(await users.call("PasswordReset", { userId: user.userId, returnCode: {} }, sessionToken), "permission_denied");
    failure(await users.call("AddHumanUser", humanUser(), sessionToken), "permission_denied");
    ok(await users.call("SetPassword", { userId: user.userId, ...change }, sessionToken));
  });

  it("ends every other session on a password change; the session it was made in survives", async () => {
    const user = await newUser();
    const here = ok(await login({ userId: user.userId }, STRONG_PASSWORD));
    const elsewhere = ok(await login({ userId: user.userId }, STRONG_PASSWORD));
    ok(
      await users.call(
        "SetPassword",
        { userId: user.userId, newPassword: { password: OTHER_PASSWORD }, currentPassword: STRONG_PASSWORD },
        here.sessionToken,
      ),
    );
    ok(await getSession(here.sessionId, here.sessionToken));
    failure(await getSession(elsewhere.sessionId, elsewhere.sessionToken), "not_found");
    failure(await users.call("GetUserByID", { userId: user.userId }, elsewhere.sessionToken), "unauthenticated");

    const later = ok(await login({ userId: user.userId }, OTHER_PASSWORD));
    ok(await users.call("SetPassword", { userId: user.userId, newPassword: { password: "Thr33-Password!" } }, users.admin));
    failure(await getSession(here.sessionId, here.sessionToken), "not_found");
    failure(await getSession(later.sessionId, later.sessionToken), "not_found");

    const again = ok(await login({ userId: user.userId }, "Thr33-Password!"));
    const code = ok(await users.call("PasswordReset", { userId: user.userId, returnCode: {} }, users.admin)).verificationCode;
    ok(await users.call("SetPassword", { userId: user.userId, newPassword: { password: "F0ur-Password!" }, verificationCode: code }));
    failure(await getSession(again.sessionId, again.sessionToken), "not_found");
  });
});
