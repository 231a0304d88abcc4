import { expect } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient } from "./clients.js";
import { humanUser, ok, unique } from "./fixtures.js";
import type { TestServer } from "./server.js";

/** Passwords whose NFKC form differs from the text as typed: a ligature, full-width forms, a combining mark, a Roman numeral. */
export const TYPED_PASSWORDS = [
  "Wrong-Passw0rd!",
  "Wrong-\uFB01sh-Passw0rd!",
  "\uFF37\uFF52\uFF4F\uFF4E\uFF47-1!",
  "Cafe\u0301-Wr0ng!",
  "\u2163-Wrong-1!",
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Median times of failed logins typing `password`, for a known login name and for unknown ones,
 * alternating. The server should hash at a realistic cost on one thread, with lockout off.
 */
export async function loginTimes(server: TestServer, password: string, rounds: number): Promise<{ knownMs: number; unknownMs: number }> {
  const users = createUserClient("connect-json", server.baseUrl);
  const sessions = createRpcClient("connect-json", server.baseUrl, SessionService);
  try {
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
    for (let i = 0; i < rounds; i++) {
      knownTimes.push(await timeLogin(known.username as string));
      unknownTimes.push(await timeLogin(unique("nobody")));
    }
    return { knownMs: median(knownTimes), unknownMs: median(unknownTimes) };
  } finally {
    users.close();
    sessions.close();
  }
}

/** What servers measured by loginTimes run with: bcrypt, and nothing else, dominates a check. */
export const LOGIN_TIMING_ENV = { LATCHKEY_BCRYPT_COST: "10", LATCHKEY_MAX_PASSWORD_ATTEMPTS: "0", LATCHKEY_HASH_CONCURRENCY: "1" };
