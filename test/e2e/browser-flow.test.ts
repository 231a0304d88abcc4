import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { SettingsService } from "../../gen/zitadel/settings/v2/settings_service_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { createUserClient } from "../helpers/clients.js";
import { humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

const ORIGIN = "https://app.example.com";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { LATCHKEY_CORS_ORIGINS: ORIGIN } });
});
afterAll(async () => {
  await server.stop();
});

/** What a browser frontend does: gRPC-web over HTTP/1.1, sending its Origin, reading CORS answers. */
function browser() {
  const allowedOrigins: Array<string | null> = [];
  const asBrowser: Interceptor = (next) => async (req) => {
    req.header.set("origin", ORIGIN);
    const res = await next(req);
    allowedOrigins.push(res.header.get("access-control-allow-origin"));
    return res;
  };
  const transport = createGrpcWebTransport({ baseUrl: server.baseUrl, httpVersion: "1.1", interceptors: [asBrowser] });
  return {
    sessions: createClient(SessionService, transport),
    users: createClient(UserService, transport),
    settings: createClient(SettingsService, transport),
    allowedOrigins,
  };
}

describe("a browser frontend over gRPC-web", () => {
  it("logs in, changes the password in its session, and so ends the session of another device", async () => {
    const request = humanUser();
    const userId = ok(await createUserClient("grpc", server.baseUrl).call("AddHumanUser", request, server.adminToken)).userId as string;
    const laptop = browser();
    const phone = browser();
    const loginName = request.username as string;

    const rules = await laptop.settings.getPasswordComplexitySettings({});
    expect(rules.settings?.minLength).toBe(8n);

    const check = { user: { search: { case: "loginName" as const, value: loginName } }, password: { password: STRONG_PASSWORD } };
    const onLaptop = await laptop.sessions.createSession({ checks: check });
    const onPhone = await phone.sessions.createSession({ checks: check });
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

    const me = await laptop.users.getUserByID({ userId }, bearer(onLaptop.sessionToken));
    expect(me.user?.username).toBe(loginName);
    await laptop.users.setPassword(
      { userId, newPassword: { password: OTHER_PASSWORD }, verification: { case: "currentPassword", value: STRONG_PASSWORD } },
      bearer(onLaptop.sessionToken),
    );

    const still = await laptop.sessions.getSession({ sessionId: onLaptop.sessionId, sessionToken: onLaptop.sessionToken });
    expect(still.session?.factors?.user?.id).toBe(userId);
    const gone = await phone.sessions
      .getSession({ sessionId: onPhone.sessionId, sessionToken: onPhone.sessionToken })
      .catch((e: unknown) => ConnectError.from(e));
    expect(gone).toBeInstanceOf(ConnectError);
    expect((gone as ConnectError).code).toBe(Code.NotFound);

    await laptop.sessions.deleteSession({ sessionId: onLaptop.sessionId, sessionToken: onLaptop.sessionToken });
    expect(laptop.allowedOrigins.length).toBeGreaterThanOrEqual(4);
    expect(new Set([...laptop.allowedOrigins, ...phone.allowedOrigins])).toEqual(new Set([ORIGIN]));
  });
});
