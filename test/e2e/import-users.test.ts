import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserImportService } from "../../gen/latchkey/user/v1/user_import_service_pb.js";
import { createRpcClient, createUserClient, type CallResult, type Protocol } from "../helpers/clients.js";
import { eventTypes, storeRows } from "../helpers/database.js";
import { failure, humanUser, ok, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { createSession, login } from "../helpers/logins.js";
import { ONE_PER_FAMILY } from "../helpers/reference-hashes.js";
import { runCli, startServer, storeEnv, tempDataDir, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: tempDataDir(), env: { LATCHKEY_BCRYPT_COST: "9" } }); // the dearest reference hashes fit
});
afterAll(() => server.stop());

type Json = Record<string, any>;

/** ImportUsers over one protocol, or on its REST path: the answer's body, or the error. */
async function importUsers(protocol: Protocol | "rest", request: Json, as: string | null = server.adminToken): Promise<CallResult> {
  const token = as ?? undefined;
  if (protocol === "rest") {
    const answer = await fetch(`${server.baseUrl}/latchkey/v1/users/import`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(request),
    });
    const body = (await answer.json()) as Json;
    return answer.status === 200
      ? { ok: true, body }
      : { ok: false, error: { code: String(answer.status), message: body.message, ...body } as never };
  }
  const client = createRpcClient<"ImportUsers">(protocol, server.baseUrl, UserImportService);
  try {
    return await client.call("ImportUsers", request as never, token);
  } finally {
    client.close();
  }
}

const userCount = async () => (await storeRows<{ n: number }>(server.dataDir, "SELECT COUNT(*) AS n FROM users"))[0]!.n;

/** A batch with each kind of outcome, and what each user's result should be. */
function mixedBatch() {
  const name = unique("imported");
  const withId = `source-${unique()}`;
  const hashes = ONE_PER_FAMILY.slice(0, 4);
  const users: Json[] = [
    ...hashes.map((r, i) => humanUser({ username: `${name}-${i}`, password: undefined, hashedPassword: { hash: r.hash } })),
    humanUser({ userId: withId, username: `${name}-id`, email: { email: `${name}-id@example.com`, isVerified: true } }),
    humanUser({ username: `${name}-bad-email`, email: { email: "not an address" } }),
    humanUser({ username: `${name}-bad-hash`, password: undefined, hashedPassword: { hash: "md5:5f4dcc3b5aa765d61d8327deb882cf99" } }),
    humanUser({ username: `${name}-0`, email: { email: `${name}-again@example.com` } }), // the first user's username again
    humanUser({ username: `${name}-locked` }),
  ];
  return { users, hashes, withId, locked: users.length - 1, name };
}

describe.each(["connect-json", "grpc", "rest"] as const)("ImportUsers over %s", (protocol) => {
  it("imports each user on its own, answers one result per user in order, and imports nothing twice", async () => {
    const { users, hashes, withId, locked, name } = mixedBatch();
    const before = await userCount();
    const results = ok(await importUsers(protocol, { users, locked: [locked] })).results as Json[];
    expect(results).toHaveLength(users.length);
    const imported = results.filter((r) => r.imported);
    expect(imported).toHaveLength(hashes.length + 2);
    for (const r of imported) expect(r.imported).toMatchObject({ userId: expect.any(String), details: { sequence: expect.anything() } });
    expect(results[hashes.length]!.imported.userId).toBe(withId);
    const refusal = (i: number) => results[i]!.refused as Json;
    expect(refusal(hashes.length + 1)).toMatchObject({
      code: "invalid_argument",
      reason: "INVALID_ARGUMENT",
      fieldViolations: [{ field: "email.email", description: expect.any(String) }],
    });
    expect(refusal(hashes.length + 2)).toMatchObject({ code: "invalid_argument", fieldViolations: [{ field: "hashed_password.hash" }] });
    expect(refusal(hashes.length + 3)).toMatchObject({ code: "already_exists", reason: "USERNAME_TAKEN" });
    expect(await userCount()).toBe(before + imported.length);
    for (const r of results.filter((r) => r.refused)) expect(JSON.stringify(r)).not.toMatch(/\$2b\$|5f4dcc3b/);

    // Each imported user logs in with its password; the locked one is locked by an administrator.
    for (const [i, reference] of hashes.entries()) await login(server, results[i]!.imported.userId, reference.password);
    const lockedId = results[locked]!.imported.userId as string;
    expect(await eventTypes(server.dataDir, lockedId)).toEqual(["user.human.added", "user.locked"]);
    failure(await createSession(server, lockedId, STRONG_PASSWORD), "failed_precondition", "USER_LOCKED");
    const users_ = createUserClient("connect-json", server.baseUrl);
    expect(ok(await users_.call("GetUserByID", { userId: withId }, server.adminToken)).user.human.email).toMatchObject({
      email: `${name}-id@example.com`,
      isVerified: true,
    });
    users_.close();

    // Again, as after an interruption: every user is there already, and nothing is written.
    const again = ok(await importUsers(protocol, { users, locked: [locked] })).results as Json[];
    expect(again.every((r) => r.refused?.code === "already_exists" || r.refused?.code === "invalid_argument")).toBe(true);
    expect(await userCount()).toBe(before + imported.length);
  });

  it("checks everything and writes nothing in a dry run", async () => {
    const { users, hashes } = mixedBatch();
    const before = await userCount();
    const results = ok(await importUsers(protocol, { users, dryRun: true })).results as Json[];
    expect(results.map((r) => (r.imported ? "ok" : r.refused.reason))).toEqual([
      ...hashes.map(() => "ok"),
      "ok",
      "INVALID_ARGUMENT",
      "INVALID_ARGUMENT",
      "USERNAME_TAKEN",
      "ok",
    ]);
    expect(results[0]!.imported.userId ?? "").toBe("");
    expect(await userCount()).toBe(before);
  });

  it("refuses more than 1,000 users, a lock of no user, and callers without user.write", async () => {
    const many = Array.from({ length: 1001 }, () => ({ username: "x" }));
    const tooMany = await importUsers(protocol, { users: many });
    expect(tooMany.ok).toBe(false);
    expect(JSON.stringify(tooMany)).toMatch(/at most 1000 users/);
    expect(JSON.stringify(await importUsers(protocol, { users: [humanUser()], locked: [1] }))).toMatch(
      /names position 1 which has no user/,
    );
    const anonymous = await importUsers(protocol, { users: [humanUser()] }, null);
    expect(anonymous.ok).toBe(false);
    expect(await userCount()).toBeGreaterThan(0);
  });
});

describe("ImportUsers permissions", () => {
  it("needs user.write", async () => {
    const created = await runCli(["token", "create", "--permissions", "user.read"], await storeEnv(server.dataDir));
    const reader = created.stdout.trim().split("\n").at(-1)!;
    const before = await userCount();
    failure(await importUsers("connect-json", { users: [humanUser()] }, reader), "permission_denied");
    failure(await importUsers("grpc", { users: [humanUser()] }, null), "unauthenticated");
    expect(await userCount()).toBe(before);
  });
});
