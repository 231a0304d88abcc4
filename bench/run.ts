// npm run bench: real servers, load from separate processes, every figure a ratio against a
// ceiling measured in this run on this machine. Prints a table; writes bench/results/latest.json.
import bcrypt from "bcrypt";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { startServer, tempDataDir, type TestServer } from "../test/helpers/server.js";
import type { LoadSpec } from "./load.js";
import { seedUsers } from "./seed.js";
import { importPart } from "./import-part.js";
import { randomBytes } from "node:crypto";
import { BreachedPasswords } from "../src/app/passwords/breached-passwords.js";
import { startOwnPostgres } from "../test/helpers/embedded-postgres.js";
import { freshDatabase } from "../test/helpers/postgres.js";
import { startReplicas } from "../test/helpers/replicas.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const COST = Number(process.env.BENCH_BCRYPT_COST ?? 10);
const LARGE = Number(process.env.BENCH_LARGE_USERS ?? 1_000_000);
const IMPORT_USERS = Number(process.env.BENCH_IMPORT_USERS ?? 1_000_000);
const CORES = availableParallelism();
/** The server's bcrypt concurrency (LATCHKEY_HASH_CONCURRENCY); the ceiling uses the same. */
const HASH_CONCURRENCY = Number(process.env.BENCH_HASH_CONCURRENCY ?? CORES);
/** Run only these parts, comma-separated: password, argon2id, nonhash, scale, postgres, blocklist, import. */
const ONLY = process.env.BENCH_ONLY?.split(",").map((part) => part.trim());
/** Rounds of the password-bound and the scale measurements, whose medians are reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = SECONDS * 1000;
const USER_SERVICE = "zitadel.user.v2.UserService";
const HERE = import.meta.dirname;

interface LoadResult {
  count: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function child(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", join(HERE, script), ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d));
    p.on("exit", (code) => (code === 0 ? resolve(out.trim().split("\n").at(-1)!) : reject(new Error(`${script} exited ${code}`))));
  });
}

/** A long-running helper: resolves with its first line of output and the process, to stop later. */
function serveChild(script: string): Promise<{ line: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", join(HERE, script)], { stdio: ["ignore", "pipe", "inherit"] });
    p.stdout.once("data", (d: Buffer) => resolve({ line: d.toString().trim(), stop: () => p.kill() }));
    p.on("exit", (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

const load = async (spec: Omit<LoadSpec, "durationMs"> & { durationMs?: number }): Promise<LoadResult> =>
  JSON.parse(await child("load.ts", [JSON.stringify({ durationMs: DURATION, ...spec })])) as LoadResult;

const address = (s: TestServer) => `127.0.0.1:${s.port}`;
const rssNow = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
const rssPeak = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
const ms = (n: number) => `${n.toFixed(2)} ms`;
const rows: Array<{ figure: string; value: string; ceiling: string; ratio: string; goal: string }> = [];
const results: Record<string, unknown> = {};
const row = (figure: string, value: string, ceiling: string, ratio: number | null, goal: string) =>
  rows.push({ figure, value, ceiling, ratio: ratio === null ? "" : ratio.toFixed(2), goal });

async function seedViaApi(server: TestServer, count: number, password: string, prefix = "load"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${server.baseUrl}/${USER_SERVICE}/AddHumanUser`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` },
      body: JSON.stringify({
        username: `${prefix}-${i}`,
        profile: { givenName: "Load", familyName: `${i}` },
        email: { email: `${prefix}-${i}@example.com` },
        password: { password },
      }),
    });
    const body = (await res.json()) as { userId?: string; message?: string };
    if (!body.userId) throw new Error(`seeding ${prefix}-${i} failed: ${body.message}`);
    ids.push(body.userId);
  }
  return ids;
}

function dbBytes(dataDir: string): number {
  const db = new Database(join(dataDir, "latchkey.db"));
  db.pragma("wal_checkpoint(TRUNCATE)");
  const bytes = statSync(join(dataDir, "latchkey.db")).size;
  db.close();
  return bytes;
}

interface PasswordRound {
  ceilings: { set: number; check: number };
  set: LoadResult;
  bytesPerChange: number;
  sessions: LoadResult;
  idleProbe: LoadResult;
  setUnderProbe: LoadResult;
  loadedProbe: LoadResult;
}

async function passwordBound(): Promise<void> {
  const concurrency = CORES * 2;
  const ceiling = (kind: "set" | "check") => hashCeiling(BCRYPT, kind);
  const server = await startServer({
    built: true,
    env: { LATCHKEY_BCRYPT_COST: String(COST), LATCHKEY_HASH_CONCURRENCY: String(HASH_CONCURRENCY) },
  });
  const [a, b] = ["Bench-Passw0rd-A!", "Bench-Passw0rd-B!"];
  const seedGroup = (name: string) => seedViaApi(server, concurrency * 4, a, name);
  const loginUsers = await seedGroup("login");
  const base = { protocol: "grpc" as const, address: address(server), token: server.adminToken };
  const user = { ...base, service: USER_SERVICE };
  const setPasswords = (userIds: string[]) => load({ ...user, method: "SetPassword", requests: flips(userIds, a, b), concurrency });
  // The event-loop probe: paced GetUserByID calls, on the idle server (the floor this machine
  // and client allow) and while SetPassword calls saturate the CPU with hashing.
  const probe = () =>
    load({ ...user, method: "GetUserByID", requests: loginUsers.map((userId) => ({ userId })), concurrency: 1, rate: 100 });

  // Rounds, each with its ceilings measured right beside it (the server idles meanwhile), and
  // figures taken as medians: this machine's speed drifts and stalls from one minute to the next.
  const rounds: PasswordRound[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each SetPassword run has users of its own: a run may stop halfway through a round of flips.
    const [setUsers, probeUsers] = [await seedGroup(`set-${round}`), await seedGroup(`probe-${round}`)];
    const ceilings = { set: await ceiling("set"), check: await ceiling("check") };
    const bytesBefore = dbBytes(server.dataDir);
    const set = await setPasswords(setUsers);
    const bytesPerChange = (dbBytes(server.dataDir) - bytesBefore) / Math.max(1, set.count);
    const sessions = await createSessions(base, loginUsers, a, concurrency);
    const idleProbe = await probe();
    const [setUnderProbe, loadedProbe] = await Promise.all([setPasswords(probeUsers), probe()]);
    rounds.push({ ceilings, set, bytesPerChange, sessions, idleProbe, setUnderProbe, loadedProbe });
    progress(
      `  round ${round + 1}: set ${(set.perSecond / ceilings.set).toFixed(2)}, check ${(sessions.perSecond / ceilings.check).toFixed(2)}`,
    );
  }
  await server.stop();
  const runs = rounds.flatMap((r) => [r.set, r.sessions, r.idleProbe, r.setUnderProbe, r.loadedProbe]);
  const errors = runs.reduce((sum, r) => sum + r.errors, 0);
  if (errors > 0) progress(`  errors: ${JSON.stringify(runs.filter((r) => r.errors > 0))}`);
  results.passwordBound = { rounds, cost: COST, concurrency };

  const middle = (pick: (r: PasswordRound) => number) => median(rounds.map(pick));
  passwordRows("", rounds, BCRYPT);
  row(
    "GetUserByID p50 / p99 under hashing load (100 calls/s)",
    `${ms(middle((r) => r.loadedProbe.p50))} / ${ms(middle((r) => r.loadedProbe.p99))}`,
    `${ms(middle((r) => r.idleProbe.p50))} / ${ms(middle((r) => r.idleProbe.p99))} idle`,
    null,
    "p99 < 20 ms",
  );
  row("database bytes per password change", middle((r) => r.bytesPerChange).toFixed(0), "", null, "");
  if (errors > 0) row("errors in password-bound runs", String(errors), "", null, "0");
}

/** CreateSession with a password check for each user, round and round. */
function createSessions(
  base: { protocol: "grpc"; address: string; token: string },
  userIds: string[],
  password: string,
  concurrency: number,
) {
  const requests = userIds.map((userId) => ({ checks: { user: { userId }, password: { password } } }));
  return load({ ...base, service: "zitadel.session.v2.SessionService", method: "CreateSession", requests, concurrency });
}

type HashRound = Pick<PasswordRound, "ceilings" | "set" | "sessions">;

/** What the hash threads do per check, as the server is configured and as the ceiling repeats it. */
type HashScheme = { name: "bcrypt"; cost: number } | { name: "argon2id"; memoryKiB: number; passes: number; parallelism: number };
const BCRYPT: HashScheme = { name: "bcrypt", cost: COST };
/** LATCHKEY_PASSWORD_HASH=argon2id with its defaults (settings.ts). */
const ARGON2ID = { name: "argon2id", memoryKiB: 19_456, passes: 2, parallelism: 1 } as const satisfies HashScheme;
const schemeLabel = (s: HashScheme) =>
  s.name === "bcrypt" ? `cost ${s.cost}` : `argon2id ${s.memoryKiB / 1024} MiB t=${s.passes} p=${s.parallelism}`;

/** The same hashing as the server's, raw, in a process of its own: calls per second. */
async function hashCeiling(scheme: HashScheme, kind: "set" | "check"): Promise<number> {
  const args = [JSON.stringify(scheme), String(HASH_CONCURRENCY), String(DURATION), kind];
  return (JSON.parse(await child("hash-ceiling.ts", args)) as { opsPerSecond: number }).opsPerSecond;
}

/** ROUNDS rounds of SetPassword and CreateSession on a server, each beside its raw ceilings. */
async function passwordRounds(server: TestServer, scheme: HashScheme, name: string): Promise<HashRound[]> {
  const concurrency = CORES * 2;
  const [a, b] = ["Bench-Passw0rd-A!", "Bench-Passw0rd-B!"];
  const loginUsers = await seedViaApi(server, concurrency * 4, a, "login");
  const base = { protocol: "grpc" as const, address: address(server), token: server.adminToken };
  const rounds: HashRound[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const setUsers = await seedViaApi(server, concurrency * 4, a, `set-${round}`);
    const ceilings = { set: await hashCeiling(scheme, "set"), check: await hashCeiling(scheme, "check") };
    const set = await load({ ...base, service: USER_SERVICE, method: "SetPassword", requests: flips(setUsers, a, b), concurrency });
    const sessions = await createSessions(base, loginUsers, a, concurrency);
    rounds.push({ ceilings, set, sessions });
    progress(
      `  ${name} round ${round + 1}: set ${(set.perSecond / ceilings.set).toFixed(2)}, check ${(sessions.perSecond / ceilings.check).toFixed(2)}`,
    );
  }
  return rounds;
}

/**
 * Argon2id as the scheme (on SQLite): the password-bound calls against raw Argon2id, and the
 * memory each concurrent hash holds (the server's peak RSS under that load, beyond its RSS idle).
 */
async function argon2id(): Promise<void> {
  const server = await startServer({
    built: true,
    env: {
      LATCHKEY_PASSWORD_HASH: "argon2id",
      LATCHKEY_HASH_CONCURRENCY: String(HASH_CONCURRENCY),
      LATCHKEY_NOTIFY_PASSWORD_CHANGED: "false",
    },
  });
  const idle = rssNow(server.process.pid!);
  const rounds = await passwordRounds(server, ARGON2ID, "argon2id");
  const perHash = (rssPeak(server.process.pid!) - idle) / HASH_CONCURRENCY;
  await server.stop();
  results.argon2id = { rounds, scheme: ARGON2ID, bytesPerConcurrentHash: perHash };
  passwordRows("", rounds, ARGON2ID);
  row(
    "memory per concurrent Argon2id hash (server peak RSS beyond idle)",
    `${(perHash / 2 ** 20).toFixed(1)} MiB`,
    `${(ARGON2ID.memoryKiB / 1024).toFixed(1)} MiB configured`,
    null,
    "(reported)",
  );
}

/** The password-bound figures of some rounds: medians, each call beside the raw hashing of its round. */
function passwordRows(label: string, rounds: HashRound[], scheme: HashScheme): void {
  const middle = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
  const figures = [
    ["SetPassword current_password", (r: (typeof rounds)[number]) => r.set, (r: (typeof rounds)[number]) => r.ceilings.set],
    ["CreateSession password check", (r: (typeof rounds)[number]) => r.sessions, (r: (typeof rounds)[number]) => r.ceilings.check],
  ] as const;
  for (const [call, result, ceiling] of figures) {
    row(
      `${label}${call} (${schemeLabel(scheme)}, ${HASH_CONCURRENCY} at once), calls/s`,
      middle((r) => result(r).perSecond).toFixed(1),
      `${middle(ceiling).toFixed(1)} raw ${scheme.name}`,
      middle((r) => result(r).perSecond / ceiling(r)),
      "≥ 0.90",
    );
  }
}

/**
 * SetPassword requests that flip each user from A to B, then all back from B to A, and so on:
 * enough users that no two calls at once wait on one user.
 */
function flips(userIds: string[], a: string, b: string): unknown[] {
  return [
    ...userIds.map((userId) => ({ userId, newPassword: { password: b }, currentPassword: a })),
    ...userIds.map((userId) => ({ userId, newPassword: { password: a }, currentPassword: b })),
  ];
}

async function nonHash(): Promise<void> {
  const server = await startServer({ built: true, env: { LATCHKEY_BCRYPT_COST: "4", LATCHKEY_NOTIFY_PASSWORD_CHANGED: "false" } });
  const users = await seedViaApi(server, 200, "Bench-Passw0rd-A!");
  const echoServer = await serveChild("grpc-echo.ts");
  const echo = JSON.parse(echoServer.line) as { port: number };
  const concurrency = 16;
  const health = { service: "grpc.health.v1.Health", method: "Check", requests: [{}] };
  const user = { service: USER_SERVICE, token: server.adminToken };
  const figures: Record<string, LoadResult> = {};
  // The peer right before our own gRPC echo; each protocol's echo runs before and after its
  // calls, averaged, since this machine's speed drifts.
  figures["grpc-js echo"] = await load({ protocol: "grpc", address: `127.0.0.1:${echo.port}`, concurrency, ...health });
  for (const protocol of ["grpc", "connect-json"] as const) {
    const at = { protocol, address: address(server), concurrency };
    figures[`${protocol} echo`] = await load({ ...at, ...health });
    figures[`${protocol} GetUserByID`] = await load({
      ...at,
      ...user,
      method: "GetUserByID",
      requests: users.map((userId) => ({ userId })),
    });
    figures[`${protocol} PasswordReset`] = await load({
      ...at,
      ...user,
      method: "PasswordReset",
      requests: users.map((userId) => ({ userId, returnCode: {} })),
    });
    figures[`${protocol} echo after`] = await load({ ...at, ...health });
  }
  results.nonHash = figures;
  results.peakRssBytes = rssPeak(server.process.pid!);
  await server.stop();
  echoServer.stop();
  for (const protocol of ["grpc", "connect-json"] as const) {
    const echoPerSecond = (figures[`${protocol} echo`]!.perSecond + figures[`${protocol} echo after`]!.perSecond) / 2;
    for (const method of ["GetUserByID", "PasswordReset"]) {
      const r = figures[`${protocol} ${method}`]!;
      row(
        `${method} over ${protocol}, calls/s (p50 / p99)`,
        `${r.perSecond.toFixed(0)} (${ms(r.p50)} / ${ms(r.p99)})`,
        `${echoPerSecond.toFixed(0)} our echo`,
        r.perSecond / echoPerSecond,
        "≥ 0.5",
      );
    }
  }
  const peer = figures["grpc-js echo"]!;
  const ours = figures["grpc echo"]!;
  row(
    "our echo over gRPC vs a bare grpc-js echo, calls/s",
    ours.perSecond.toFixed(0),
    `${peer.perSecond.toFixed(0)} grpc-js`,
    ours.perSecond / peer.perSecond,
    "(reported)",
  );
}

async function scale(): Promise<void> {
  const hash = "bcrypt-sha384:" + (await bcrypt.hash("unused", 4));
  const start = async (count: number) => {
    const dataDir = tempDataDir();
    const seededAt = performance.now();
    const ids = await seedUsers(dataDir, count, hash);
    const seedSeconds = (performance.now() - seededAt) / 1000;
    const startedAt = performance.now();
    const server = await startServer({ built: true, dataDir, env: { LATCHKEY_BCRYPT_COST: "4" } });
    const startMs = performance.now() - startedAt;
    const picked = Array.from({ length: 500 }, (_, i) => Math.floor((i * ids.length) / 500));
    const sample = picked.map((i) => ({ userId: ids[i] }));
    // ListUsers by login name, as a login page finds a user: the seeder's usernames.
    const byLoginName = picked.map((i) => ({ queries: [{ loginNameQuery: { loginName: `bench-user-${i}` } }] }));
    return { count, seedSeconds, startMs, server, sample, byLoginName, dataDir };
  };
  const calls = (s: Awaited<ReturnType<typeof start>>, method: "GetUserByID" | "ListUsers") =>
    load({
      protocol: "grpc",
      address: address(s.server),
      service: USER_SERVICE,
      token: s.server.adminToken,
      method,
      requests: method === "GetUserByID" ? s.sample : s.byLoginName,
      concurrency: 8,
    });
  const small = await start(1_000);
  const large = await start(LARGE);
  // Alternating rounds, compared by their medians: this machine's speed drifts within a minute.
  type Round = Record<"small" | "large" | "smallList" | "largeList", LoadResult>;
  const runs: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    runs.push({
      small: await calls(small, "GetUserByID"),
      large: await calls(large, "GetUserByID"),
      smallList: await calls(small, "ListUsers"),
      largeList: await calls(large, "ListUsers"),
    });
  }
  await Promise.all([small.server.stop(), large.server.stop()]);
  const summary = (s: typeof small, pick: (r: Round) => LoadResult) => ({
    count: s.count,
    seedSeconds: s.seedSeconds,
    startMs: s.startMs,
    dbBytes: statSync(join(s.dataDir, "latchkey.db")).size,
    p50: median(runs.map((r) => pick(r).p50)),
    p99: median(runs.map((r) => pick(r).p99)),
    errors: runs.reduce((sum, r) => sum + pick(r).errors, 0),
    runs: runs.map(pick),
  });
  const figures = {
    small: summary(small, (r) => r.small),
    large: summary(large, (r) => r.large),
    smallList: summary(small, (r) => r.smallList),
    largeList: summary(large, (r) => r.largeList),
  };
  results.scale = { rounds: ROUNDS, ...figures };
  for (const [method, smallOne, largeOne] of [
    ["GetUserByID", figures.small, figures.large],
    ["ListUsers by login name", figures.smallList, figures.largeList],
  ] as const) {
    row(
      `${method} p50 at ${LARGE.toLocaleString("en")} users vs 1,000 (median of ${ROUNDS} rounds)`,
      `${ms(largeOne.p50)} (p99 ${ms(largeOne.p99)})`,
      `${ms(smallOne.p50)} (p99 ${ms(smallOne.p99)})`,
      largeOne.p50 / smallOne.p50,
      largeOne.errors + smallOne.errors > 0 ? `≤ 1.25 (${largeOne.errors + smallOne.errors} errors!)` : "≤ 1.25",
    );
  }
  row(
    `start-up with ${LARGE.toLocaleString("en")} users (to listening)`,
    `${(large.startMs / 1000).toFixed(2)} s`,
    `${(small.startMs / 1000).toFixed(2)} s at 1,000`,
    null,
    "< 2 s, no replay",
  );
}

/**
 * The PostgreSQL backend beside SQLite, in one run: password-bound calls against raw bcrypt,
 * non-hash calls against the same calls on SQLite, and two replicas against one on one database.
 */
async function postgres(): Promise<void> {
  const db = await startOwnPostgres();
  const onPostgres = async (env: Record<string, string> = {}) => {
    const database = { url: await freshDatabase(db.adminUrl), secret: randomBytes(32).toString("base64url") };
    return startReplicas(1, { LATCHKEY_BCRYPT_COST: "4", LATCHKEY_NOTIFY_PASSWORD_CHANGED: "false", ...env }, database);
  };
  try {
    // Password-bound: as passwordBound() does on SQLite, one round beside its ceilings per ROUNDS.
    const hashing = await onPostgres({ LATCHKEY_BCRYPT_COST: String(COST), LATCHKEY_HASH_CONCURRENCY: String(HASH_CONCURRENCY) });
    const rounds = await passwordRounds(hashing.servers[0]!, BCRYPT, "postgres");
    await hashing.stop();
    passwordRows("PostgreSQL: ", rounds, BCRYPT);

    // Non-hash calls: the same calls on a SQLite server and a PostgreSQL one, alternating.
    const sqlite = await startServer({ built: true, env: { LATCHKEY_BCRYPT_COST: "4", LATCHKEY_NOTIFY_PASSWORD_CHANGED: "false" } });
    const pgOne = await onPostgres();
    const pgServer = pgOne.servers[0]!;
    const second = await pgOne.add();
    const usersOf = async (s: TestServer) => (await seedViaApi(s, 200, "Bench-Passw0rd-A!", "nonhash")).map((userId) => ({ userId }));
    const [sqliteUsers, pgUsers] = [await usersOf(sqlite), await usersOf(pgServer)];
    const calls = (s: TestServer, users: Array<{ userId: string }>, method: "GetUserByID" | "PasswordReset", share = 1) =>
      load({
        protocol: "grpc",
        address: address(s),
        service: USER_SERVICE,
        token: s.adminToken,
        method,
        requests: method === "GetUserByID" ? users : users.map((u) => ({ ...u, returnCode: {} })),
        concurrency: 16 / share,
      });
    const figures: Record<string, LoadResult[]> = {};
    const add = (key: string, r: LoadResult) => (figures[key] ??= []).push(r);
    for (let round = 0; round < ROUNDS; round++) {
      for (const method of ["GetUserByID", "PasswordReset"] as const) {
        add(`sqlite ${method}`, await calls(sqlite, sqliteUsers, method));
        add(`postgres ${method}`, await calls(pgServer, pgUsers, method));
        // Two replicas on the same database, the load split between them.
        const halves = await Promise.all([calls(pgServer, pgUsers, method, 2), calls(second, pgUsers, method, 2)]);
        add(`postgres x2 ${method}`, {
          ...halves[0],
          count: halves[0].count + halves[1].count,
          errors: halves[0].errors + halves[1].errors,
          perSecond: halves[0].perSecond + halves[1].perSecond,
        });
      }
    }
    await sqlite.stop();
    await pgOne.stop();
    results.postgres = { passwordBound: rounds, nonHash: figures };
    const perSecond = (key: string) => median(figures[key]!.map((r) => r.perSecond));
    const p = (key: string) => `${ms(median(figures[key]!.map((r) => r.p50)))} / ${ms(median(figures[key]!.map((r) => r.p99)))}`;
    for (const method of ["GetUserByID", "PasswordReset"]) {
      row(
        `PostgreSQL: ${method} over grpc, calls/s (p50 / p99)`,
        `${perSecond(`postgres ${method}`).toFixed(0)} (${p(`postgres ${method}`)})`,
        `${perSecond(`sqlite ${method}`).toFixed(0)} on SQLite (${p(`sqlite ${method}`)})`,
        perSecond(`postgres ${method}`) / perSecond(`sqlite ${method}`),
        "(reported)",
      );
      row(
        `PostgreSQL: ${method}, two replicas vs one (same 2 cores), calls/s`,
        perSecond(`postgres x2 ${method}`).toFixed(0),
        `${perSecond(`postgres ${method}`).toFixed(0)} one replica`,
        perSecond(`postgres x2 ${method}`) / perSecond(`postgres ${method}`),
        "(reported)",
      );
    }
  } finally {
    await db.dispose();
  }
}

/** A breached-password list of LARGE entries in Have I Been Pwned's format: the time one check takes. */
async function blocklist(): Promise<void> {
  const entries = Math.min(LARGE, 5_000_000);
  const path = join(tempDataDir(), "pwned.txt");
  const lines = Array.from({ length: entries }, () => `${randomBytes(20).toString("hex").toUpperCase()}:1`).sort();
  writeFileSync(path, lines.join("\r\n") + "\r\n");
  const list = new BreachedPasswords(path);
  const checks = 20_000;
  const started = performance.now();
  let found = 0;
  for (let i = 0; i < checks; i++) if (list.has(`not-in-the-list-${i}`)) found++;
  const perCheck = (performance.now() - started) / checks;
  list.close();
  results.blocklist = { entries, bytes: statSync(path).size, checks, msPerCheck: perCheck, found };
  row(
    `breached-password check in a list of ${entries.toLocaleString("en")} hashes`,
    `${(perCheck * 1000).toFixed(1)} µs`,
    "",
    null,
    "< 1 ms",
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const progress = (step: string) => process.stderr.write(`bench: ${step}\n`);
const began = Date.now();
const parts: Array<[name: string, label: string, run: () => Promise<void>]> = [
  ["password", "password-bound calls and their bcrypt ceiling", passwordBound],
  ["argon2id", "password-bound calls with Argon2id and its ceiling", argon2id],
  ["nonhash", "non-hash calls and echo ceilings", nonHash],
  ["scale", `scale: 1,000 and ${LARGE.toLocaleString("en")} users`, scale],
  ["postgres", "PostgreSQL beside SQLite, one replica and two", postgres],
  ["blocklist", "the breached-password list", blocklist],
  ["import", `bulk import of ${IMPORT_USERS.toLocaleString("en")} users`, () => importPart(IMPORT_USERS, { row, progress, results })],
];
for (const [name, label, run] of parts) {
  if (ONLY !== undefined && !ONLY.includes(name)) continue;
  progress(label);
  await run();
}
if (results.peakRssBytes !== undefined) {
  row("peak RSS of the server (non-hash runs)", `${((results.peakRssBytes as number) / 1024 / 1024).toFixed(0)} MiB`, "", null, "");
}

const machine = `${cpus()[0]?.model ?? "cpu"} × ${CORES}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const widths = ["figure", "value", "ceiling", "ratio", "goal"].map((k) =>
  Math.max(k.length, ...rows.map((r) => (r as Record<string, string>)[k]!.length)),
);
const line = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |";
const table = [
  line(["figure", "value", "ceiling", "ratio", "goal"]),
  line(widths.map((w) => "-".repeat(w))),
  ...rows.map((r) => line([r.figure, r.value, r.ceiling, r.ratio, r.goal])),
].join("\n");
process.stdout.write(`\nLatchkey benchmark, ${new Date(began).toISOString()}, ${SECONDS} s per run, on ${machine}\n\n${table}\n`);
mkdirSync(join(HERE, "results"), { recursive: true }); // untracked: a run leaves the checkout clean
writeFileSync(
  join(HERE, "results", "latest.json"),
  JSON.stringify({ date: new Date(began).toISOString(), machine, seconds: SECONDS, rows, results }, null, 2) + "\n",
);
