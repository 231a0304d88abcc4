import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient, type Protocol } from "../helpers/clients.js";
import { eventTypes, storeRows } from "../helpers/database.js";
import { failure, humanUser, ok } from "../helpers/fixtures.js";
import { ONE_PER_FAMILY, REFERENCE_HASHES } from "../helpers/reference-hashes.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  // Cost 9: the dearest reference hashes (ASP.NET's 250,000 PBKDF2 iterations, Firebase's N = 2^14)
  // stay within four times a check here.
  server = await startServer({ env: { LATCHKEY_BCRYPT_COST: "9" } });
});
afterAll(() => server.stop());

const storedHash = async (userId: string) =>
  (await storeRows<{ password_hash: string }>(server.dataDir, `SELECT password_hash FROM users WHERE user_id = ?`, [userId]))[0]!
    .password_hash;

/** AddHumanUser and CreateSession over one protocol, or over ZITADEL's REST paths. */
function calls(protocol: Protocol | "rest") {
  if (protocol === "rest") {
    const post = async (path: string, body: unknown, token?: string) => {
      const answer = await fetch(`${server.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    };
    return {
      add: async (hash: string) => {
        const answer = await post("/v2/users/human", humanUser({ password: undefined, hashedPassword: { hash } }), server.adminToken);
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        return answer.body.userId as string;
      },
      logsIn: async (userId: string, password: string) =>
        (await post("/v2/sessions", { checks: { user: { userId }, password: { password } } })).status === 201, // as ZITADEL answers it
    };
  }
  const users = createUserClient(protocol, server.baseUrl);
  const sessions = createRpcClient<"CreateSession">(protocol, server.baseUrl, SessionService);
  return {
    add: async (hash: string) =>
      ok(await users.call("AddHumanUser", humanUser({ password: undefined, hashedPassword: { hash } }), server.adminToken))
        .userId as string,
    logsIn: async (userId: string, password: string) =>
      (await sessions.call("CreateSession", { checks: { user: { userId }, password: { password } } })).ok,
  };
}

describe.each(["connect-json", "grpc", "rest"] as const)("a user imported with another system's hash, over %s", (protocol) => {
  const references = protocol === "connect-json" ? REFERENCE_HASHES : ONE_PER_FAMILY;
  it.each(references.map((r) => [`${r.family} ${r.hash.slice(0, 20)}…`, r] as const))(
    "%s logs in with its password only, and is re-hashed with this server's scheme at the first login",
    async (_, reference) => {
      const { add, logsIn } = calls(protocol);
      const userId = await add(reference.hash);
      expect(await storedHash(userId)).toBe(reference.hash);
      expect(await logsIn(userId, reference.password + "!")).toBe(false);
      expect(await storedHash(userId)).toBe(reference.hash);
      expect(await logsIn(userId, reference.password)).toBe(true);
      expect(await storedHash(userId)).toMatch(/^bcrypt-sha384:\$2b\$09\$/);
      expect(await eventTypes(server.dataDir, userId)).toContain("user.human.password.hash.upgraded");
      expect(await logsIn(userId, reference.password)).toBe(true);
      expect(await logsIn(userId, reference.password + "!")).toBe(false);
    },
  );
});

describe("an imported hash this server will not take", () => {
  it.each([
    [
      "PBKDF2 past the cost bound",
      "$pbkdf2-sha256$5000000$c2FsdHNhbHRzYWx0$" + "A".repeat(43),
      /iterations 5000000 .*At most \d+ for pbkdf2-sha256/,
    ],
    ["an unknown format", "md5:5f4dcc3b5aa765d61d8327deb882cf99", /format this server reads/],
    ["a truncated Argon2 string", "$argon2id$v=19$m=1024,t=2,p=2$c2FsdA", /format this server reads/],
  ])("%s: InvalidArgument at hashed_password.hash, saying why", async (_, hash, why) => {
    const users = createUserClient("connect-json", server.baseUrl);
    const error = failure(
      await users.call("AddHumanUser", humanUser({ password: undefined, hashedPassword: { hash } }), server.adminToken),
      "invalid_argument",
    );
    expect(error.violations).toHaveLength(1);
    expect(error.violations[0]!.field).toBe("hashed_password.hash");
    expect(error.violations[0]!.description).toMatch(why);
  });
});
