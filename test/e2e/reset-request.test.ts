import { create, toBinary } from "@bufbuild/protobuf";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetPasswordResetRequestRequestSchema, PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { clientFor, createRpcClient, createUserClient, PROTOCOLS } from "../helpers/clients.js";
import { failure, humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { codeFromLink } from "../helpers/mail.js";
import { startServer, tempDataDir, untilOutput, type TestServer } from "../helpers/server.js";

type PasswordMethod = "GetPasswordResetRequest" | "GetOpenPasswordReset" | "RequestPasswordReset";
const ORIGIN = "https://accounts.example.com";

let server: TestServer;
let mailDir: string;
beforeAll(async () => {
  mailDir = tempDataDir();
  server = await startServer({
    env: { LATCHKEY_MAIL_DIR: mailDir, LATCHKEY_RESET_URL_ORIGINS: ORIGIN, LATCHKEY_NOTIFY_PASSWORD_CHANGED: "false" },
  });
});
afterAll(async () => {
  await server.stop();
});

describe.each(PROTOCOLS)("checking a reset code over %s", (protocol) => {
  const users = clientFor(protocol, () => server);
  const passwords = clientFor<PasswordMethod>(protocol, () => server, PasswordService);
  const sessions = clientFor<"CreateSession">(protocol, () => server, SessionService);

  async function userWithCode() {
    const request = humanUser({ profile: { givenName: "Ada", familyName: "Lovelace", displayName: "Countess Ada" } });
    const userId = ok(await users.call("AddHumanUser", request, users.admin)).userId as string;
    const code = ok(await users.call("PasswordReset", { userId, returnCode: {} }, users.admin)).verificationCode as string;
    return { userId, code, email: (request.email as { email: string }).email };
  }
  const check = (userId: string, verificationCode: string) => passwords.call("GetPasswordResetRequest", { userId, verificationCode });

  it("tells the holder of a good code whom it is for and until when, without using it up", async () => {
    const { userId, code, email } = await userWithCode();
    const before = Date.now();
    const answer = ok(await check(userId, code));
    expect(answer).toMatchObject({
      state: "RESET_REQUEST_STATE_VALID",
      channel: "RESET_CHANNEL_RETURNED",
      displayName: "Countess Ada",
      maskedLoginName: `${email[0]}***@example.com`,
    });
    expect(answer.expiresAt).toBeGreaterThan(before);
    // In any case: still good afterwards, so the page can ask for the new password.
    ok(await check(userId, code.toLowerCase()));
    ok(await users.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code }));
    expect(ok(await check(userId, code))).toEqual({ state: "RESET_REQUEST_STATE_INVALID" });
  });

  it("answers a wrong code, an unknown user and no open code alike, and nothing more", async () => {
    const { userId, code } = await userWithCode();
    const noCode = ok(await users.call("AddHumanUser", humanUser(), users.admin)).userId as string;
    const invalid = { state: "RESET_REQUEST_STATE_INVALID" };
    expect(ok(await check(userId, "WRONGCODE1"))).toEqual(invalid);
    expect(ok(await check("123456789012345678", code))).toEqual(invalid);
    expect(ok(await check(noCode, code))).toEqual(invalid);
    expect(ok(await check(userId, "X".repeat(65)))).toEqual(invalid);
    // Wrong guesses do not void the code.
    ok(await check(userId, code));
    failure(await check(userId, ""), "invalid_argument");
  });

  it("shows an administrator the open reset, never its code", async () => {
    const { userId, code } = await userWithCode();
    const open = ok(await passwords.call("GetOpenPasswordReset", { userId }, users.admin));
    expect(open.reset).toMatchObject({ channel: "RESET_CHANNEL_RETURNED" });
    expect(open.reset.expiresAt).toBeGreaterThan(open.reset.createdAt);
    expect(JSON.stringify(open)).not.toContain(code);
    const session = ok(await sessions.call("CreateSession", { checks: { user: { userId }, password: { password: STRONG_PASSWORD } } }));
    failure(await passwords.call("GetOpenPasswordReset", { userId }, session.sessionToken), "permission_denied");
    failure(await passwords.call("GetOpenPasswordReset", { userId: "123456789012345678" }, users.admin), "not_found");
    ok(await users.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code }));
    expect(ok(await passwords.call("GetOpenPasswordReset", { userId }, users.admin))).toEqual({});
  });
});

describe("GetPasswordResetRequest on the wire", () => {
  it("answers byte for byte the same for a wrong code, an unknown user and no open code, in JSON and in binary", async () => {
    const admin = { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` };
    const post = (path: string, body: unknown) =>
      fetch(`${server.baseUrl}${path}`, { method: "POST", headers: admin, body: JSON.stringify(body) });
    const userId = ((await (await post("/v2/users/human", humanUser())).json()) as { userId: string }).userId;
    const noCode = ((await (await post("/v2/users/human", humanUser())).json()) as { userId: string }).userId;
    const code = ((await (await post(`/v2/users/${userId}/password_reset`, { returnCode: {} })).json()) as { verificationCode: string })
      .verificationCode;
    const cases = [
      { userId, verificationCode: "WRONGCODE1" },
      { userId: "123456789012345678", verificationCode: code },
      { userId: noCode, verificationCode: code },
    ];
    const answers = async (send: (body: (typeof cases)[number]) => Promise<Response>) =>
      Promise.all(cases.map(async (body) => Buffer.from(await (await send(body)).arrayBuffer()).toString("hex")));
    const anonymous = { "content-type": "application/json" };
    const viaConnect = await answers((body) =>
      fetch(`${server.baseUrl}/latchkey.password.v1.PasswordService/GetPasswordResetRequest`, {
        method: "POST",
        headers: anonymous,
        body: JSON.stringify(body),
      }),
    );
    const viaRest = await answers((body) =>
      fetch(`${server.baseUrl}/latchkey/v1/password_reset_requests/check`, {
        method: "POST",
        headers: anonymous,
        body: JSON.stringify(body),
      }),
    );
    const viaBinary = await answers((body) =>
      fetch(`${server.baseUrl}/latchkey.password.v1.PasswordService/GetPasswordResetRequest`, {
        method: "POST",
        headers: { "content-type": "application/proto" },
        body: toBinary(GetPasswordResetRequestRequestSchema, create(GetPasswordResetRequestRequestSchema, body)),
      }),
    );
    for (const set of [viaConnect, viaRest, viaBinary]) expect(new Set(set).size).toBe(1);
    expect(Buffer.from(viaRest[0]!, "hex").toString()).toBe('{"state":"RESET_REQUEST_STATE_INVALID"}');
  });

  it("names the channel a link went by", async () => {
    const request = humanUser();
    const email = (request.email as { email: string }).email;
    const json = { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` };
    const added = await fetch(`${server.baseUrl}/v2/users/human`, { method: "POST", headers: json, body: JSON.stringify(request) });
    const { userId } = (await added.json()) as { userId: string };
    await fetch(`${server.baseUrl}/v2/users/${userId}/password_reset`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ sendLink: { urlTemplate: `${ORIGIN}/reset?code={{.Code}}` } }),
    });
    await untilOutput(server, `"msg":"message delivered"`, readdirSync(mailDir).length + 1);
    const mails = await Promise.all(readdirSync(mailDir).map((f) => simpleParser(readFileSync(join(mailDir, f)))));
    const mail = mails.find((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.text === email)!;
    const { code } = codeFromLink(mail.text!);
    const answer = await fetch(`${server.baseUrl}/latchkey/v1/password_reset_requests/check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId, verificationCode: code }),
    });
    expect(await answer.json()).toMatchObject({ state: "RESET_REQUEST_STATE_VALID", channel: "RESET_CHANNEL_EMAIL" });
  });

  it("says a right code has expired, and counts checks against the user's rate limit like redemptions", async () => {
    const limited = await startServer({ env: { LATCHKEY_CODE_TTL: "1ms", LATCHKEY_RATE_LIMIT_PER_USER: "3" } });
    try {
      const users = createUserClient("connect-json", limited.baseUrl);
      const passwords = createRpcClient<PasswordMethod>("connect-json", limited.baseUrl, PasswordService);
      const userId = ok(await users.call("AddHumanUser", humanUser(), limited.adminToken)).userId;
      const code = ok(await users.call("PasswordReset", { userId, returnCode: {} }, limited.adminToken)).verificationCode;
      expect(ok(await passwords.call("GetPasswordResetRequest", { userId, verificationCode: code }))).toMatchObject({
        state: "RESET_REQUEST_STATE_EXPIRED",
      });
      ok(await passwords.call("GetPasswordResetRequest", { userId, verificationCode: "WRONGCODE1" }));
      failure(
        await users.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code }),
        "failed_precondition",
      );
      failure(await passwords.call("GetPasswordResetRequest", { userId, verificationCode: code }), "resource_exhausted", "RATE_LIMITED");
    } finally {
      await limited.stop();
    }
  });
});
