import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { clientFor, PROTOCOLS } from "../helpers/clients.js";
import { failure, humanUser, ok, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  // Room for the largest query within the bounds: 49 lists of 1,000 ids.
  server = await startServer({ env: { LATCHKEY_MAX_REQUEST_BYTES: String(4 * 1024 * 1024) } });
});
afterAll(async () => {
  await server.stop();
});

describe.each(PROTOCOLS)("ListUsers over %s", (protocol) => {
  const users = clientFor<"AddHumanUser" | "ListUsers" | "LockUser">(protocol, () => server);
  const sessions = clientFor<"CreateSession">(protocol, () => server, SessionService);

  /** Three users whose usernames share a prefix no other test uses, in the order of their names. */
  async function family() {
    const prefix = unique("fam");
    const people = [];
    for (const suffix of ["a", "b", "c"]) {
      const request = humanUser({ username: `${prefix}-${suffix}`, email: { email: `${prefix}-${suffix}@Example.com` } });
      people.push({ userId: ok(await users.call("AddHumanUser", request, users.admin)).userId as string, username: `${prefix}-${suffix}` });
    }
    return { prefix, people };
  }
  const list = (request: Record<string, unknown>) => users.call("ListUsers", request as never, users.admin);
  const ids = (body: any) => (body.result ?? []).map((u: any) => u.userId);

  it("finds a user by username, e-mail address or login name, as each method compares", async () => {
    const { people } = await family();
    const [a] = people;
    const one = (query: Record<string, unknown>) => list({ queries: [query] }).then((r) => ids(ok(r)));
    expect(await one({ userNameQuery: { userName: a!.username } })).toEqual([a!.userId]);
    expect(await one({ userNameQuery: { userName: a!.username.toUpperCase() } })).toEqual([]);
    expect(await one({ userNameQuery: { userName: a!.username.toUpperCase(), method: "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE" } })).toEqual([
      a!.userId,
    ]);
    expect(
      await one({ emailQuery: { emailAddress: `${a!.username}@example.com`, method: "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE" } }),
    ).toEqual([a!.userId]);
    expect(await one({ loginNameQuery: { loginName: `${a!.username}@EXAMPLE.COM` } })).toEqual([a!.userId]);
    expect(await one({ loginNameQuery: { loginName: a!.username.toUpperCase(), method: "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE" } })).toEqual(
      [a!.userId],
    );
    expect(await one({ loginNameQuery: { loginName: "nobody-has-this-name" } })).toEqual([]);
  });

  it("pages through a prefix in name order, with the total", async () => {
    const { prefix, people } = await family();
    const byPrefix = { userNameQuery: { userName: `${prefix}-`, method: "TEXT_QUERY_METHOD_STARTS_WITH" } };
    const first = ok(await list({ queries: [byPrefix], sortingColumn: "USER_FIELD_NAME_USER_NAME", query: { limit: 2, asc: true } }));
    expect(first.details.totalResult).toBe("3");
    expect(ids(first)).toEqual([people[0]!.userId, people[1]!.userId]);
    const second = ok(
      await list({ queries: [byPrefix], sortingColumn: "USER_FIELD_NAME_USER_NAME", query: { offset: "2", limit: 2, asc: true } }),
    );
    expect(ids(second)).toEqual([people[2]!.userId]);
    const descending = ok(await list({ queries: [byPrefix], sortingColumn: "USER_FIELD_NAME_USER_NAME" }));
    expect(ids(descending)).toEqual(people.map((p) => p.userId).reverse());
    expect(descending.result[0]).toMatchObject({
      username: people[2]!.username,
      state: "USER_STATE_ACTIVE",
      human: { profile: { givenName: "Ada" } },
    });
  });

  it("combines queries: ids, organization, state, and, or, not", async () => {
    const { people } = await family();
    const [a, b, c] = people;
    ok(await users.call("LockUser", { userId: b!.userId }, users.admin));
    const among = { inUserIdsQuery: { userIds: people.map((p) => p.userId) } };
    const found = async (...queries: unknown[]) =>
      ids(ok(await list({ queries, sortingColumn: "USER_FIELD_NAME_USER_NAME", query: { asc: true } })));
    expect(await found(among, { stateQuery: { state: "USER_STATE_LOCKED" } })).toEqual([b!.userId]);
    expect(await found(among, { stateQuery: { state: "USER_STATE_ACTIVE" } })).toEqual([a!.userId, c!.userId]);
    expect(await found(among, { stateQuery: { state: "USER_STATE_INACTIVE" } })).toEqual([]);
    expect(await found(among, { notQuery: { query: { userNameQuery: { userName: a!.username } } } })).toEqual([b!.userId, c!.userId]);
    expect(
      await found({
        orQuery: {
          queries: [{ userNameQuery: { userName: a!.username } }, { emailQuery: { emailAddress: `${c!.username}@Example.com` } }],
        },
      }),
    ).toEqual([a!.userId, c!.userId]);
    expect(await found({ andQuery: { queries: [among, { typeQuery: { type: "TYPE_HUMAN" } }] } })).toEqual(people.map((p) => p.userId));
    expect(await found(among, { typeQuery: { type: "TYPE_MACHINE" } })).toEqual([]);
    const orgId = ok(await list({ queries: [{ inUserIdsQuery: { userIds: [a!.userId] } }] })).result[0].details.resourceOwner;
    expect(await found(among, { organizationIdQuery: { organizationId: orgId } })).toEqual(people.map((p) => p.userId));
    expect(await found(among, { organizationIdQuery: { organizationId: "123" } })).toEqual([]);
  });

  it("needs user.read, and bounds what a query may ask", async () => {
    const { people } = await family();
    const session = ok(
      await sessions.call("CreateSession", { checks: { user: { userId: people[0]!.userId }, password: { password: STRONG_PASSWORD } } }),
    );
    failure(await users.call("ListUsers", {}, session.sessionToken), "permission_denied");
    failure(await users.call("ListUsers", {}), "unauthenticated");
    const many = Array.from({ length: 60 }, () => ({ userNameQuery: { userName: "x" } }));
    failure(await list({ queries: many }), "invalid_argument");
    let deep: Record<string, unknown> = { userNameQuery: { userName: "x" } };
    for (let i = 0; i < 8; i++) deep = { notQuery: { query: deep } };
    failure(await list({ queries: [deep] }), "invalid_argument");
    failure(await list({ queries: [{ userNameQuery: { userName: "x".repeat(201) } }] }), "invalid_argument");
    failure(await list({ queries: [{}] }), "invalid_argument");
    // Every query within the bounds works, however many values it lists; beyond them, InvalidArgument.
    const target = people[0]!;
    const others = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`);
    const lists = Array.from({ length: 49 }, (_, q) => ({ inUserIdsQuery: { userIds: [...others(999, `q${q}-`), target.userId] } }));
    expect(ids(ok(await list({ queries: lists })))).toEqual([target.userId]);
    const emails = Array.from({ length: 49 }, (_, q) => ({
      inUserEmailsQuery: { userEmails: [...others(999, `q${q}-`).map((e) => `${e}@example.com`), `${target.username}@EXAMPLE.com`] },
    }));
    expect(ids(ok(await list({ queries: emails })))).toEqual([target.userId]);
    failure(await list({ queries: [{ inUserIdsQuery: { userIds: others(1_001, "x") } }] }), "invalid_argument");
    // A larger limit than allowed is capped, not refused.
    expect(
      ok(await list({ query: { limit: 100000 }, queries: [{ inUserIdsQuery: { userIds: [people[0]!.userId] } }] })).details.totalResult,
    ).toBe("1");
  });
});
