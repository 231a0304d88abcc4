import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { clientFor, createRpcClient, createUserClient, PROTOCOLS } from "../helpers/clients.js";
import { storeRows } from "../helpers/database.js";
import { failure, humanUser, ok, unique } from "../helpers/fixtures.js";
import { startServer, untilOutput, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: { LATCHKEY_RESET_URL_ORIGINS: "https://app.example.com", LATCHKEY_RESET_URL_TEMPLATE: "https://login.example.com/r?c={{.Code}}" },
  });
});
afterAll(async () => {
  await server.stop();
});

function outboxFor(userId: string): Promise<Array<{ recipient: string; payload: string }>> {
  return storeRows(server.dataDir, `SELECT recipient, payload FROM outbox WHERE user_id = ? ORDER BY id`, [userId]);
}

async function outboxSize(): Promise<number> {
  return (await storeRows<{ n: number }>(server.dataDir, `SELECT COUNT(*) AS n FROM outbox WHERE channel <> 'internal'`))[0]!.n;
}

const HANDLED = '"msg":"public password reset request handled"';
const handled = () => server.output().split(HANDLED).length - 1;
/** The request is answered before it is handled: wait until the server says it has handled this many. */
const untilHandled = (count: number) => untilOutput(server, HANDLED, count);

describe.each(PROTOCOLS)("RequestPasswordReset over %s", (protocol) => {
  const users = clientFor(protocol, () => server);
  const passwords = clientFor<"RequestPasswordReset">(protocol, () => server, PasswordService);

  async function newUser() {
    const request = humanUser();
    const userId = ok(await users.call("AddHumanUser", request, users.admin)).userId as string;
    return { userId, username: request.username as string, email: (request.email as { email: string }).email };
  }

  it("answers the same for an existing and an unknown login name, and sends only to the existing user", async () => {
    const user = await newUser();
    const before = handled();
    const sizeBefore = await outboxSize();
    const known = await passwords.call("RequestPasswordReset", { loginName: user.email.toUpperCase() });
    const unknown = await passwords.call("RequestPasswordReset", { loginName: `${unique("nobody")}@example.com` });
    expect(known).toEqual({ ok: true, body: {} });
    expect(unknown).toEqual(known);
    await untilHandled(before + 2);
    const [row, ...more] = await outboxFor(user.userId);
    expect(more).toEqual([]);
    expect(row!.recipient).toBe(user.email);
    expect(JSON.parse(row!.payload).urlTemplate).toBe("https://login.example.com/r?c={{.Code}}");
    expect(await outboxSize()).toBe(sizeBefore + 1);
  });

  it("sends nothing to a deactivated user, and answers as for anyone", async () => {
    const user = await newUser();
    ok(await users.call("DeactivateUser", { userId: user.userId }, users.admin));
    const before = handled();
    expect(await passwords.call("RequestPasswordReset", { loginName: user.username })).toEqual({ ok: true, body: {} });
    await untilHandled(before + 1);
    expect(await outboxFor(user.userId)).toEqual([]);
    ok(await users.call("ReactivateUser", { userId: user.userId }, users.admin));
    ok(await passwords.call("RequestPasswordReset", { loginName: user.username }));
    await untilHandled(before + 2);
    expect(await outboxFor(user.userId)).toHaveLength(1);
  });

  it("opens at most one reset per user per minute", async () => {
    const user = await newUser();
    const before = handled();
    for (let i = 0; i < 3; i++) ok(await passwords.call("RequestPasswordReset", { loginName: user.username }));
    await untilHandled(before + 3);
    expect(await outboxFor(user.userId)).toHaveLength(1);
  });

  it("takes a url_template on an allowed origin and refuses any other, for existing and unknown names alike", async () => {
    const user = await newUser();
    const before = handled();
    const template = "https://app.example.com/reset?user={{.UserID}}&code={{.Code}}";
    ok(await passwords.call("RequestPasswordReset", { loginName: user.username, urlTemplate: template }));
    await untilHandled(before + 1);
    expect(JSON.parse((await outboxFor(user.userId))[0]!.payload).urlTemplate).toBe(template);

    for (const loginName of [user.username, unique("nobody")]) {
      for (const urlTemplate of ["https://evil.example.com/?c={{.Code}}", "http://app.example.com/?c={{.Code}}", "not a url"]) {
        const error = failure(await passwords.call("RequestPasswordReset", { loginName, urlTemplate }), "invalid_argument");
        expect(error.violations[0]!.field).toBe("url_template");
      }
    }
  });

  it("refuses an empty login name", async () => {
    failure(await passwords.call("RequestPasswordReset", { loginName: "" }), "invalid_argument");
  });
});

describe("the timing of a public reset request", () => {
  it("does not tell an existing account from an unknown name", { timeout: 60_000 }, async () => {
    const client = createRpcClient("connect-json", server.baseUrl, PasswordService);
    const users = createUserClient("connect-json", server.baseUrl);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const timed = async (loginName: string) => {
      const started = performance.now();
      ok(await client.call("RequestPasswordReset", { loginName }));
      return performance.now() - started;
    };
    const rounds = 41;
    // A user per round: a second request for one user within a minute sends nothing and writes nothing.
    const known: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const user = humanUser();
      ok(await users.call("AddHumanUser", user, server.adminToken));
      known.push(user.username as string);
    }
    const before = handled();
    await timed(unique()); // warm up
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < rounds; i++) {
      knownTimes.push(await timed(known[i]!));
      unknownTimes.push(await timed(unique()));
    }
    await untilHandled(before + 1 + 2 * rounds);
    client.close();
    users.close();
    // Answered before the lookup and its write (a commit with a disk sync) could delay it.
    expect(median(knownTimes) / median(unknownTimes)).toBeLessThan(1.4);
  });
});
