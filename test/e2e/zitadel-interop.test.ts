import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createServerTransport } from "@zitadel/client/node";
import { createSessionServiceClient, createSettingsServiceClient, createUserServiceClient } from "@zitadel/client/v2";
import { TextQueryMethod } from "@zitadel/proto/zitadel/object/v2/object_pb.js";
import { UserState } from "@zitadel/proto/zitadel/user/v2/user_pb.js";
import { AddHumanUserRequestSchema } from "@zitadel/proto/zitadel/user/v2/user_service_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { humanUser, OTHER_PASSWORD, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

describe("the published @zitadel/client over its Node gRPC transport", () => {
  function client(token: string) {
    return createUserServiceClient(createServerTransport(token, { baseUrl: server.baseUrl }));
  }

  it("finds users by login name, e-mail address and id with ListUsers", async () => {
    const users = client(server.adminToken);
    const username = unique("listed");
    const added = await users.addHumanUser(
      create(AddHumanUserRequestSchema, {
        username,
        profile: { givenName: "List", familyName: "Ed" },
        email: { email: `${username}@example.com` },
      }),
    );
    const byLoginName = await users.listUsers({
      queries: [
        { query: { case: "loginNameQuery", value: { loginName: username.toUpperCase(), method: TextQueryMethod.EQUALS_IGNORE_CASE } } },
      ],
    });
    expect(byLoginName.details?.totalResult).toBe(1n);
    expect(byLoginName.result.map((u) => u.userId)).toEqual([added.userId]);
    const byEmail = await users.listUsers({
      queries: [
        { query: { case: "emailQuery", value: { emailAddress: `${username}@EXAMPLE.com`, method: TextQueryMethod.EQUALS_IGNORE_CASE } } },
      ],
    });
    expect(byEmail.result[0]?.username).toBe(username);
    const byId = await users.listUsers({ queries: [{ query: { case: "inUserIdsQuery", value: { userIds: [added.userId, "0"] } } }] });
    expect(byId.result.map((u) => u.userId)).toEqual([added.userId]);
  });

  it("adds a user, reads it, resets and sets its password", async () => {
    const users = client(server.adminToken);
    const username = unique("zitadel");
    const added = await users.addHumanUser(
      create(AddHumanUserRequestSchema, {
        username,
        profile: { givenName: "Zita", familyName: "Del" },
        email: { email: `${username}@example.com`, verification: { case: "isVerified", value: true } },
        passwordType: { case: "password", value: { password: STRONG_PASSWORD, changeRequired: false } },
      }),
    );
    expect(added.userId).toMatch(/^\d{18}$/);
    expect(added.details?.sequence).toBe(1n);
    expect(added.details?.resourceOwner).toMatch(/^\d+$/);

    const got = await users.getUserByID({ userId: added.userId });
    expect(got.user?.username).toBe(username);
    expect(got.user?.type.case).toBe("human");
    if (got.user?.type.case !== "human") throw new Error("not human");
    expect(got.user.type.value.email?.email).toBe(`${username}@example.com`);
    expect(got.user.type.value.email?.isVerified).toBe(true);
    expect(got.details?.sequence).toBe(1n);

    const reset = await users.passwordReset({ userId: added.userId, medium: { case: "returnCode", value: {} } });
    expect(reset.verificationCode).toMatch(/^[A-Z0-9]{10}$/);
    expect(reset.details?.sequence).toBe(2n);

    const anonymous = client("");
    const viaCode = await anonymous.setPassword({
      userId: added.userId,
      newPassword: { password: OTHER_PASSWORD, changeRequired: false },
      verification: { case: "verificationCode", value: reset.verificationCode! },
    });
    expect(viaCode.details?.sequence).toBe(3n);

    const viaCurrent = await users.setPassword({
      userId: added.userId,
      newPassword: { password: "Thr33-Password!", changeRequired: true },
      verification: { case: "currentPassword", value: OTHER_PASSWORD },
    });
    expect(viaCurrent.details?.sequence).toBe(4n);
    expect(viaCurrent.details?.changeDate).toBeDefined();
  });

  it("deactivates and reactivates a user", async () => {
    const users = client(server.adminToken);
    const username = unique("zitadel");
    const { userId } = await users.addHumanUser({
      username,
      profile: { givenName: "Zita", familyName: "Del" },
      email: { email: `${username}@example.com` },
    });
    expect((await users.deactivateUser({ userId })).details?.sequence).toBe(2n);
    expect((await users.getUserByID({ userId })).user?.state).toBe(UserState.INACTIVE);
    const again = await users.deactivateUser({ userId }).catch((e: unknown) => ConnectError.from(e));
    expect((again as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((await users.reactivateUser({ userId })).details?.sequence).toBe(3n);
    expect((await users.getUserByID({ userId })).user?.state).toBe(UserState.ACTIVE);
  });

  it("sees our errors as the codes ZITADEL uses", async () => {
    const users = client(server.adminToken);
    const notFound = await users.getUserByID({ userId: "missing" }).catch((e: unknown) => ConnectError.from(e));
    expect(notFound).toBeInstanceOf(ConnectError);
    expect((notFound as ConnectError).code).toBe(Code.NotFound);

    const request = humanUser();
    const weak = await users
      .addHumanUser({
        username: request.username as string,
        profile: { givenName: "A", familyName: "B" },
        email: { email: `${request.username as string}@example.com` },
        passwordType: { case: "password", value: { password: "weak", changeRequired: false } },
      })
      .catch((e: unknown) => ConnectError.from(e));
    expect((weak as ConnectError).code).toBe(Code.InvalidArgument);
    expect((weak as ConnectError).rawMessage).toContain("password policy");

    const denied = await client("not-a-token")
      .getUserByID({ userId: "x" })
      .catch((e: unknown) => ConnectError.from(e));
    expect((denied as ConnectError).code).toBe(Code.Unauthenticated);
  });

  it("logs in with CreateSession, reads and deletes the session, and reads the settings", async () => {
    const transport = createServerTransport(server.adminToken, { baseUrl: server.baseUrl });
    const users = createUserServiceClient(transport);
    const sessions = createSessionServiceClient(createServerTransport("", { baseUrl: server.baseUrl }));
    const username = unique("zitadel");
    const { userId } = await users.addHumanUser({
      username,
      profile: { givenName: "Zita", familyName: "Del" },
      email: { email: `${username}@example.com` },
      passwordType: { case: "password", value: { password: STRONG_PASSWORD, changeRequired: false } },
    });

    const created = await sessions.createSession({
      checks: { user: { search: { case: "loginName", value: username } }, password: { password: STRONG_PASSWORD } },
    });
    expect(created.sessionToken.length).toBeGreaterThan(20);
    expect(created.details?.sequence).toBe(1n);
    const { session } = await sessions.getSession({ sessionId: created.sessionId, sessionToken: created.sessionToken });
    expect(session?.factors?.user?.id).toBe(userId);
    expect(session?.factors?.password?.verifiedAt).toBeDefined();
    expect(session?.expirationDate).toBeDefined();
    await sessions.deleteSession({ sessionId: created.sessionId, sessionToken: created.sessionToken });

    const wrong = await sessions
      .createSession({ checks: { user: { search: { case: "userId", value: userId } }, password: { password: "Wrong-Passw0rd!" } } })
      .catch((e: unknown) => ConnectError.from(e));
    expect((wrong as ConnectError).code).toBe(Code.InvalidArgument);

    const settings = createSettingsServiceClient(createServerTransport("", { baseUrl: server.baseUrl }));
    const complexity = await settings.getPasswordComplexitySettings({});
    expect(complexity.settings).toMatchObject({ minLength: 8n, requiresUppercase: true, requiresSymbol: true });
    const lockout = await settings.getLockoutSettings({});
    expect(lockout.settings?.maxPasswordAttempts).toBe(10n);
  });
});
