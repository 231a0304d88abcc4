import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient } from "../helpers/clients.js";
import { humanUser, ok, unique } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

let server: TestServer;
beforeAll(async () => {
  // A realistic cost, so that bcrypt (and nothing else) dominates a password check.
  server = await startServer({ env: { LATCHKEY_BCRYPT_COST: "10", LATCHKEY_MAX_PASSWORD_ATTEMPTS: "0", LATCHKEY_HASH_CONCURRENCY: "1" } });
});
afterAll(async () => {
  await server.stop();
});

// Passwords whose NFKC form differs from the text as typed: a ligature, full-width forms, a
// combining mark, and the compatibility form of a Roman numeral.
const TYPED_PASSWORDS = [
  "Wrong-Passw0rd!",
  "Wrong-\uFB01sh-Passw0rd!",
  "\uFF37\uFF52\uFF4F\uFF4E\uFF47-1!",
  "Cafe\u0301-Wr0ng!",
  "\u2163-Wrong-1!",
];

describe.each(TYPED_PASSWORDS)("a password check for an unknown login name, typing %s", (password) => {
  it("takes as long as one for a known name with a wrong password", { timeout: 60_000 }, async () => {
    const users = createUserClient("connect-json", server.baseUrl);
    const sessions = createRpcClient("connect-json", server.baseUrl, SessionService);
    const known = humanUser();
    ok(await users.call("AddHumanUser", known, server.adminToken));
    const timeLogin = async (loginName: string) => {
      const started = performance.now();
      const result = await sessions.call("CreateSession", { checks: { user: { loginName }, password: { password } } });
      expect(result.ok).toBe(false);
      return performance.now() - started;
    };
    await timeLogin(known.username as string); // warm up
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 11; i++) {
      knownTimes.push(await timeLogin(known.username as string));
      unknownTimes.push(await timeLogin(unique("nobody")));
    }
    const [k, u] = [median(knownTimes), median(unknownTimes)];
    // bcrypt at cost 10 takes tens of milliseconds: without the dummy compare, unknown names answer in ~1 ms.
    expect(k).toBeGreaterThan(15);
    expect(u / k).toBeGreaterThan(0.8);
    expect(u / k).toBeLessThan(1.25);
  });
});
