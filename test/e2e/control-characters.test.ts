import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { clientFor, PROTOCOLS } from "../helpers/clients.js";
import { failure, humanUser, ok, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

/** NUL (which PostgreSQL cannot store), other C0 controls, DEL and a C1 control. */
const CONTROLS = ["\u0000", "\u0007", "\n", "\u001b", "\u007f", "\u0085"];

describe.each(PROTOCOLS)("control characters in text fields, over %s", (protocol) => {
  const users = clientFor<"AddHumanUser" | "GetUserByID" | "ListUsers" | "PasswordReset" | "SetPassword">(protocol, () => server);
  const sessions = clientFor<"CreateSession">(protocol, () => server, SessionService);
  const resets = clientFor<"RequestPasswordReset">(protocol, () => server, PasswordService);

  it("are refused in every field of a privileged call, each field named, alike on every backend", async () => {
    for (const c of CONTROLS) {
      const request = humanUser({
        profile: { givenName: `Ada${c}`, familyName: "Lovelace", nickName: `n${c}`, displayName: `d${c}`, preferredLanguage: `e${c}n` },
      });
      const refused = failure(await users.call("AddHumanUser", request, users.admin), "invalid_argument", "INVALID_ARGUMENT");
      expect(refused.violations.map((v) => v.field).sort()).toEqual(
        ["profile.display_name", "profile.given_name", "profile.nick_name", "profile.preferred_language"].sort(),
      );
      expect(refused.violations.every((v) => v.description === "must not contain control characters")).toBe(true);
      const listed = await users.call("ListUsers", { queries: [{ userNameQuery: { userName: `x${c}` } }] }, users.admin);
      expect(failure(listed, "invalid_argument").violations).toEqual([
        { field: "queries[0].user_name_query.user_name", description: "must not contain control characters" },
      ]);
      failure(await users.call("GetUserByID", { userId: `1${c}` }, users.admin), "invalid_argument");
      const link = { sendLink: { urlTemplate: `https://accounts.example.com/reset?c={{.Code}}${c}` } };
      failure(await users.call("PasswordReset", { userId: "1", ...link }, users.admin), "invalid_argument");
    }
  });

  it("are refused in anonymous calls before anything is looked up or counted", async () => {
    const { userId } = ok(await users.call("AddHumanUser", humanUser(), users.admin));
    for (const c of CONTROLS) {
      const login = { checks: { user: { userId }, password: { password: `${STRONG_PASSWORD}${c}` } } };
      failure(await sessions.call("CreateSession", login), "invalid_argument", "INVALID_ARGUMENT");
      failure(await resets.call("RequestPasswordReset", { loginName: `someone${c}@example.com` }), "invalid_argument");
      const code = { userId, newPassword: { password: STRONG_PASSWORD }, verificationCode: `ABC${c}` };
      failure(await users.call("SetPassword", code), "invalid_argument");
    }
    // None of the refused logins counted as a failure.
    const wrong = failure(
      await sessions.call("CreateSession", { checks: { user: { userId }, password: { password: "Wrong-Passw0rd!" } } }),
      "invalid_argument",
      "LOGIN_FAILED",
    );
    expect(wrong.failedAttempts).toBe(1);
  });
});
