import type { JsonObject } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { clientFor, PROTOCOLS } from "../helpers/clients.js";
import { eventTypes } from "../helpers/database.js";
import { failure, humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { LATCHKEY_MAX_PASSWORD_ATTEMPTS: "3" } });
});
afterAll(() => server.stop());

describe.each(PROTOCOLS)("DeactivateUser and ReactivateUser over %s", (protocol) => {
  const users = clientFor(protocol, () => server);
  const sessions = clientFor<"CreateSession" | "GetSession">(protocol, () => server, SessionService);

  const newUser = async (username = unique("deactivated")) =>
    ok(await users.call("AddHumanUser", humanUser({ username }), users.admin)).userId as string;
  const login = (search: { userId: string } | { loginName: string }, password: string) =>
    sessions.call("CreateSession", { checks: { user: search, password: { password } } });
  const stateOf = async (userId: string) => ok(await users.call("GetUserByID", { userId }, users.admin)).user.state;

  it("ends the user's sessions and open codes, and refuses its logins as a wrong password is refused", async () => {
    const username = unique("leaver");
    const userId = await newUser(username);
    const { sessionId, sessionToken } = ok(await login({ userId }, STRONG_PASSWORD));
    const code = ok(await users.call("PasswordReset", { userId, returnCode: {} }, users.admin)).verificationCode;

    const deactivated = ok(await users.call("DeactivateUser", { userId }, users.admin));
    expect(deactivated.details.sequence).toBe("3");
    expect(await stateOf(userId)).toBe("USER_STATE_INACTIVE");
    failure(await users.call("DeactivateUser", { userId }, users.admin), "failed_precondition", "USER_DEACTIVATED");

    failure(await users.call("GetUserByID", { userId }, sessionToken), "unauthenticated");
    failure(await sessions.call("GetSession", { sessionId }, users.admin), "not_found");
    const withCode = { userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code };
    const wrongCode = failure(await users.call("SetPassword", withCode), "invalid_argument", "CODE_INVALID");
    failure(await users.call("PasswordReset", { userId, returnCode: {} }, users.admin), "failed_precondition", "USER_DEACTIVATED");

    // The right password, by id and by name, answers as a wrong one for an unknown name does.
    const ghost = unique("ghost");
    for (const attempt of [1, 2]) {
      const refused = failure(await login({ loginName: username }, STRONG_PASSWORD), "invalid_argument", "LOGIN_FAILED");
      const unknown = failure(await login({ loginName: ghost }, STRONG_PASSWORD), "invalid_argument", "LOGIN_FAILED");
      expect(refused.message).toBe(unknown.message);
      expect([refused.failedAttempts, unknown.failedAttempts]).toEqual([attempt, attempt]);
    }
    failure(await login({ userId }, STRONG_PASSWORD), "invalid_argument", "LOGIN_FAILED");
    expect(wrongCode.message).toMatch(/wrong or no longer valid/);
    // Nothing of that was counted against the user: it is not locked once reactivated.
    expect(await eventTypes(server.dataDir, userId)).toEqual(["user.human.added", "user.human.password.code.added", "user.deactivated"]);
  });

  it("lets the user log in again once reactivated, without bringing back the old sessions or codes", async () => {
    const userId = await newUser();
    const before = ok(await login({ userId }, STRONG_PASSWORD));
    const code = ok(await users.call("PasswordReset", { userId, returnCode: {} }, users.admin)).verificationCode;
    failure(await users.call("ReactivateUser", { userId }, users.admin), "failed_precondition", "USER_NOT_DEACTIVATED");
    ok(await users.call("DeactivateUser", { userId }, users.admin));
    const reactivated = ok(await users.call("ReactivateUser", { userId }, users.admin));
    expect(reactivated.details.sequence).toBe("4");
    expect(await stateOf(userId)).toBe("USER_STATE_ACTIVE");

    failure(await users.call("GetUserByID", { userId }, before.sessionToken), "unauthenticated");
    const withCode = { userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code };
    failure(await users.call("SetPassword", withCode), "invalid_argument", "CODE_INVALID");
    const after = ok(await login({ userId }, STRONG_PASSWORD));
    ok(await users.call("GetUserByID", { userId }, after.sessionToken));
  });

  it("shows a deactivated user as inactive, locked or not, and ListUsers finds users by each state", async () => {
    const name = unique("states");
    const [active, inactive, locked, both] = [
      await newUser(`${name}-active`),
      await newUser(`${name}-inactive`),
      await newUser(`${name}-locked`),
      await newUser(`${name}-both`),
    ];
    ok(await users.call("DeactivateUser", { userId: inactive }, users.admin));
    ok(await users.call("LockUser", { userId: locked }, users.admin));
    ok(await users.call("LockUser", { userId: both }, users.admin));
    ok(await users.call("DeactivateUser", { userId: both }, users.admin));
    expect(await stateOf(both)).toBe("USER_STATE_INACTIVE");
    const inState = async (state: string) => {
      const byName = { userNameQuery: { userName: name, method: "TEXT_QUERY_METHOD_STARTS_WITH" } };
      const queries: JsonObject[] = [byName, { stateQuery: { state } }];
      const found = ok(await users.call("ListUsers", { queries }, users.admin));
      return (found.result ?? []).map((u: { userId: string }) => u.userId).sort();
    };
    expect(await inState("USER_STATE_ACTIVE")).toEqual([active]);
    expect(await inState("USER_STATE_INACTIVE")).toEqual([inactive, both].sort());
    expect(await inState("USER_STATE_LOCKED")).toEqual([locked]);
    const byState = ok(
      await users.call(
        "ListUsers",
        {
          query: { asc: true },
          queries: [{ userNameQuery: { userName: name, method: "TEXT_QUERY_METHOD_STARTS_WITH" } }],
          sortingColumn: "USER_FIELD_NAME_STATE",
        },
        users.admin,
      ),
    );
    expect(byState.result.map((u: { state: string }) => u.state)).toEqual([
      "USER_STATE_ACTIVE",
      "USER_STATE_INACTIVE",
      "USER_STATE_INACTIVE",
      "USER_STATE_LOCKED",
    ]);
  });

  it("is for user.write alone: not anonymous callers, not the user's own session", async () => {
    const userId = await newUser();
    const { sessionToken } = ok(await login({ userId }, STRONG_PASSWORD));
    failure(await users.call("DeactivateUser", { userId }), "unauthenticated");
    failure(await users.call("DeactivateUser", { userId }, sessionToken), "permission_denied");
    failure(await users.call("ReactivateUser", { userId }, sessionToken), "permission_denied");
    failure(await users.call("DeactivateUser", { userId: "no-such-user" }, users.admin), "not_found");
    failure(await users.call("DeactivateUser", { userId: "" }, users.admin), "invalid_argument");
    expect(await stateOf(userId)).toBe("USER_STATE_ACTIVE");
  });
});
