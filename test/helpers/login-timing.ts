import bcrypt from "bcrypt";
import { expect } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient } from "./clients.js";
import { changeStore } from "./database.js";
import { humanUser, ok, STRONG_PASSWORD, unique } from "./fixtures.js";
import { startServer, tempDataDir, type TestServer } from "./server.js";
import { readImportedHash } from "../../src/crypto/imported/read-imported-hash.js";
import { bcryptUnits } from "../../src/crypto/imported/work.js";
import { REFERENCE_HASHES } from "./reference-hashes.js";

/** Passwords whose NFKC form differs from the text as typed: a ligature, full-width forms, a combining mark, a Roman numeral. */
export const TYPED_PASSWORDS = [
  "Wrong-Passw0rd!",
  "Wrong-\uFB01sh-Passw0rd!",
  "\uFF37\uFF52\uFF4F\uFF4E\uFF47-1!",
  "Cafe\u0301-Wr0ng!",
  "\u2163-Wrong-1!",
];

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Adds a user (AddHumanUser with these overrides) and returns its id and login name. */
export async function addKnownUser(
  server: TestServer,
  overrides: Record<string, unknown> = {},
): Promise<{ userId: string; loginName: string }> {
  const users = createUserClient("connect-json", server.baseUrl);
  try {
    const request = humanUser(overrides);
    const { userId } = ok(await users.call("AddHumanUser", request, server.adminToken));
    return { userId, loginName: request.username as string };
  } finally {
    users.close();
  }
}

/** Medians of the known name's and the unknown names' times, and of the ratio unknown / known in each pair. */
export interface LoginTimes {
  knownMs: number;
  unknownMs: number;
  ratio: number;
}

/**
 * Median times of failed logins typing `password`, for a known login name (a new user's, unless
 * `knownName` is given) and for unknown ones, alternating. The server should hash at a realistic
 * cost on one thread, with lockout off.
 */
export async function loginTimes(server: TestServer, password: string, rounds: number, knownName?: string): Promise<LoginTimes> {
  const known = knownName ?? (await addKnownUser(server)).loginName;
  return timedAlternately(server, known, rounds, 1, password);
}

/**
 * How long `concurrent` wrong logins sent at once for one name take until the last answers: for
 * a known name and for an unknown one, alternating, medians of `rounds`.
 */
export function concurrentLoginTimes(server: TestServer, knownName: string, concurrent: number, rounds: number): Promise<LoginTimes> {
  return timedAlternately(server, knownName, rounds, concurrent, "Wrong-Passw0rd!");
}

/** `concurrent` failed logins at once for the known name, then for a new unknown one, `rounds` times (after a warm-up): median times. */
async function timedAlternately(
  server: TestServer,
  known: string,
  rounds: number,
  concurrent: number,
  password: string,
): Promise<LoginTimes> {
  const sessions = createRpcClient("connect-json", server.baseUrl, SessionService);
  try {
    const timed = async (loginName: string) => {
      const started = performance.now();
      const login = () => sessions.call("CreateSession", { checks: { user: { loginName }, password: { password } } });
      const results = await Promise.all(Array.from({ length: concurrent }, login));
      for (const result of results) expect(result.ok).toBe(false);
      return performance.now() - started;
    };
    await timed(known); // warm up
    return await inPairs(
      rounds,
      () => timed(known),
      () => timed(unique("nobody")),
    );
  } finally {
    sessions.close();
  }
}

/**
 * `rounds` pairs of a known and an unknown measurement, side by side and taking turns at going
 * first, so that a pair shares the machine's load of its moment: the medians of each, and of the
 * ratio unknown / known in each pair.
 */
export async function inPairs(rounds: number, known: () => Promise<number>, unknown: () => Promise<number>): Promise<LoginTimes> {
  const knownTimes: number[] = [];
  const unknownTimes: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let k: number, u: number;
    if (i % 2 === 0) {
      k = await known();
      u = await unknown();
    } else {
      u = await unknown();
      k = await known();
    }
    knownTimes.push(k);
    unknownTimes.push(u);
    ratios.push(u / k);
  }
  return { knownMs: median(knownTimes), unknownMs: median(unknownTimes), ratio: median(ratios) };
}

/** What servers measured by loginTimes run with: bcrypt, and nothing else, dominates a check. */
export const LOGIN_TIMING_ENV = { LATCHKEY_BCRYPT_COST: "10", LATCHKEY_MAX_PASSWORD_ATTEMPTS: "0", LATCHKEY_HASH_CONCURRENCY: "1" };

/**
 * A server as LOGIN_TIMING_ENV sets it (cost 10), with a known user for each kind of stored hash
 * a failed check must not tell apart from an unknown name (another system's hash of every family
 * among them): the login name of each, by kind.
 */
export async function serverWithEveryStoredHash(): Promise<{ server: TestServer; knownNames: Record<string, string> }> {
  const dataDir = tempDataDir();
  const before = await startServer({ dataDir, env: { ...LOGIN_TIMING_ENV, LATCHKEY_BCRYPT_COST: "8" } });
  const olderCost = await addKnownUser(before);
  await before.stop();
  const server = await startServer({ dataDir, env: LOGIN_TIMING_ENV });
  const imported = (cost: number) =>
    addKnownUser(server, { password: undefined, hashedPassword: { hash: bcrypt.hashSync(STRONG_PASSWORD, cost) } });
  const unreadable = await addKnownUser(server);
  const overCap = await addKnownUser(server);
  // As an older release, or another import limit, may have left them.
  const setHash = (userId: string, hash: string) =>
    changeStore(dataDir, "UPDATE users SET password_hash = ? WHERE user_id = ?", [hash, userId]);
  await setHash(unreadable.userId, "$2b$10$not-a-bcrypt-hash");
  await setHash(overCap.userId, bcrypt.hashSync(STRONG_PASSWORD, 13));
  const fromOtherSystems: Record<string, string> = {};
  for (const reference of cheapOnePerFamily(2 ** Number(LOGIN_TIMING_ENV.LATCHKEY_BCRYPT_COST))) {
    const user = await addKnownUser(server, { password: undefined, hashedPassword: { hash: reference.hash } });
    fromOtherSystems[`imported_${reference.family}`] = user.loginName;
  }
  return {
    server,
    knownNames: {
      ...fromOtherSystems,
      current_cost: (await addKnownUser(server)).loginName,
      imported_cost4: (await imported(4)).loginName,
      made_at_cost8_before_raise: olderCost.loginName,
      unreadable_hash: unreadable.loginName,
      over_import_cap: overCap.loginName,
    },
  };
}

/**
 * The cheapest reference hash of each family, where it costs well under a check at the configured
 * cost (`units`, in bcrypt's). A dearer stored hash takes longer by nature, as a bcrypt hash made
 * before the cost was lowered does. The families whose only references are dear (Drupal 7's
 * published hashes at 2^15 rounds, Firebase's vector, ASP.NET's 250,000-iteration one) take the
 * same padded path as their cheaper kin here (phpass, scrypt, PBKDF2).
 */
function cheapOnePerFamily(units: number): typeof REFERENCE_HASHES {
  const cheapest = new Map<string, { reference: (typeof REFERENCE_HASHES)[number]; units: number }>();
  for (const reference of REFERENCE_HASHES) {
    const read = readImportedHash(reference.hash);
    if (read === null) continue; // bcrypt: timed above
    const cost = bcryptUnits(read);
    const best = cheapest.get(reference.family);
    if (cost <= units / 4 && (best === undefined || cost < best.units)) cheapest.set(reference.family, { reference, units: cost });
  }
  return [...cheapest.values()].map((c) => c.reference);
}

/**
 * What servers measured with Argon2id as their scheme run with: a check at 19 MiB and 4 passes
 * takes tens of milliseconds, as bcrypt at cost 10 does.
 */
export const ARGON2_TIMING_ENV = {
  ...LOGIN_TIMING_ENV,
  LATCHKEY_PASSWORD_HASH: "argon2id",
  LATCHKEY_ARGON2_MEMORY: "19456",
  LATCHKEY_ARGON2_PASSES: "4",
};

/**
 * A server as ARGON2_TIMING_ENV sets it, with a known user for each kind of stored hash a failed
 * check must not tell apart from an unknown name there: its own, bcrypt made before the switch,
 * and other systems' cheap hashes (each padded by time to an Argon2id check).
 */
export async function serverOnArgon2id(): Promise<{ server: TestServer; knownNames: Record<string, string> }> {
  const dataDir = tempDataDir();
  const before = await startServer({ dataDir, env: { ...LOGIN_TIMING_ENV, LATCHKEY_BCRYPT_COST: "6" } });
  const onBcrypt = await addKnownUser(before);
  await before.stop();
  const server = await startServer({ dataDir, env: ARGON2_TIMING_ENV });
  const knownNames: Record<string, string> = { bcrypt_before_switch: onBcrypt.loginName, argon2id: (await addKnownUser(server)).loginName };
  for (const family of ["md5-crypt", "pbkdf2-sha256", "ldap-ssha"]) {
    const reference = REFERENCE_HASHES.find((r) => r.family === family)!;
    knownNames[`imported_${family}`] = (
      await addKnownUser(server, { password: undefined, hashedPassword: { hash: reference.hash } })
    ).loginName;
  }
  return { server, knownNames };
}
