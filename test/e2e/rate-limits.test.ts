import { describe, expect, it } from "vitest";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient } from "../helpers/clients.js";
import { failure, humanUser, ok, unique } from "../helpers/fixtures.js";
import { startServer } from "../helpers/server.js";

const login = (loginName: string) => ({ checks: { user: { loginName }, password: { password: "Wrong-Passw0rd!" } } });

describe("rate limits on public calls", () => {
  it("limits one client address, not service accounts", async () => {
    const server = await startServer({ env: { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "5", LATCHKEY_RATE_LIMIT_PER_USER: "1000" } });
    const sessions = createRpcClient("grpc", server.baseUrl, SessionService);
    try {
      for (let i = 0; i < 5; i++) failure(await sessions.call("CreateSession", login(unique())), "invalid_argument");
      const limited = failure(await sessions.call("CreateSession", login(unique())), "resource_exhausted", "RATE_LIMITED");
      expect(limited.message).toMatch(/too many requests/);
      const passwords = createRpcClient("grpc", server.baseUrl, PasswordService);
      failure(await passwords.call("RequestPasswordReset", { loginName: unique() }), "resource_exhausted");
      passwords.close();
      // A backend's token is not a public caller.
      failure(await sessions.call("CreateSession", login(unique()), server.adminToken), "invalid_argument");
    } finally {
      sessions.close();
      await server.stop();
    }
  });

  it("counts every loopback address as one client", async () => {
    const server = await startServer({
      env: { LATCHKEY_HOST: "::", LATCHKEY_RATE_LIMIT_PER_ADDRESS: "3", LATCHKEY_RATE_LIMIT_PER_USER: "1000" },
    });
    const viaV4 = createRpcClient("connect-json", `http://127.0.0.1:${server.port}`, SessionService);
    const viaV6 = createRpcClient("connect-json", `http://[::1]:${server.port}`, SessionService);
    try {
      failure(await viaV4.call("CreateSession", login(unique())), "invalid_argument");
      failure(await viaV6.call("CreateSession", login(unique())), "invalid_argument");
      failure(await viaV4.call("CreateSession", login(unique())), "invalid_argument");
      failure(await viaV6.call("CreateSession", login(unique())), "resource_exhausted", "RATE_LIMITED");
    } finally {
      viaV4.close();
      viaV6.close();
      await server.stop();
    }
  });

  it("limits calls aimed at one user or login name", async () => {
    const server = await startServer({ env: { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "1000", LATCHKEY_RATE_LIMIT_PER_USER: "3" } });
    const sessions = createRpcClient("connect-json", server.baseUrl, SessionService);
    const users = createUserClient("connect-json", server.baseUrl);
    try {
      const target = unique();
      for (let i = 0; i < 3; i++) failure(await sessions.call("CreateSession", login(target)), "invalid_argument");
      failure(await sessions.call("CreateSession", login(target.toUpperCase())), "resource_exhausted", "RATE_LIMITED");
      failure(await sessions.call("CreateSession", login(unique())), "invalid_argument");

      const userId = ok(await users.call("AddHumanUser", humanUser(), server.adminToken)).userId;
      const redeem = () =>
        users.call("SetPassword", { userId, newPassword: { password: "Batt3ry-Staple?" }, verificationCode: "ACDEFGHJKM" });
      for (let i = 0; i < 3; i++) failure(await redeem(), "invalid_argument", "CODE_INVALID");
      failure(await redeem(), "resource_exhausted");
    } finally {
      await server.stop();
    }
  });
});

describe("repeated failures", () => {
  it("are slowed down more each time, without holding up other calls", async () => {
    const server = await startServer({
      env: { LATCHKEY_FAILURE_DELAY: "200ms", LATCHKEY_FAILURE_DELAY_MAX: "400ms", LATCHKEY_MAX_PASSWORD_ATTEMPTS: "0" },
    });
    const sessions = createRpcClient("connect-json", server.baseUrl, SessionService);
    try {
      const target = unique();
      const timed = async () => {
        const started = performance.now();
        failure(await sessions.call("CreateSession", login(target)), "invalid_argument");
        return performance.now() - started;
      };
      await timed(); // the first failure is not delayed
      expect(await timed()).toBeGreaterThanOrEqual(200);
      expect(await timed()).toBeGreaterThanOrEqual(400);

      // While the next (delayed) check waits, the server answers everything else.
      const order: string[] = [];
      const delayed = timed().then(() => order.push("delayed login"));
      const health = fetch(`${server.baseUrl}/healthz`).then(() => order.push("health"));
      const otherUser = sessions.call("CreateSession", login(unique())).then(() => order.push("other login"));
      await Promise.all([delayed, health, otherUser]);
      expect(order.at(-1)).toBe("delayed login");

      // Guesses sent at once see each other: the last of four waits as the fourth in a row would.
      const fresh = unique();
      const started = performance.now();
      const answered = await Promise.all(
        [0, 1, 2, 3].map(async () => {
          failure(await sessions.call("CreateSession", login(fresh)), "invalid_argument");
          return performance.now() - started;
        }),
      );
      expect(Math.max(...answered)).toBeGreaterThanOrEqual(400);
    } finally {
      await server.stop();
    }
  });
});
