import { MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { randomBytes } from "node:crypto";
import { createServer as createTcpServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient, type CallResult, type UserClient } from "../helpers/clients.js";
import { storeRows } from "../helpers/database.js";
import { failure, humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { codeFromLink, mailTo, startSmtpSink, type SmtpSink } from "../helpers/mail.js";
import { startReplicas, type Replicas } from "../helpers/replicas.js";
import { startOwnPostgres } from "../helpers/embedded-postgres.js";
import { databaseFor, freshDatabase } from "../helpers/postgres.js";
import { runCli, tempDataDir, untilOutput, type TestServer } from "../helpers/server.js";

const ORIGIN = "https://accounts.example.com";

/** Waits until the query on the replicas' database returns `count` rows (what the workers record). */
async function untilRows(dataDir: string, sql: string, count: number): Promise<void> {
  while ((await storeRows(dataDir, sql)).length !== count) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** One client per replica; `on(i)` picks one by turn, as a load balancer would. */
function clientsOf(replicas: Replicas) {
  const users = replicas.servers.map((s) => createUserClient("grpc", s.baseUrl));
  const sessions = replicas.servers.map((s) =>
    createRpcClient<"CreateSession" | "GetSession" | "DeleteSession">("connect-json", s.baseUrl, SessionService),
  );
  const passwords = replicas.servers.map((s) => createRpcClient<"RequestPasswordReset">("grpc-web", s.baseUrl, PasswordService));
  const on = <T>(list: T[], i: number) => list[i % list.length]!;
  return {
    users,
    sessions,
    passwords,
    on,
    close: () => [...users, ...sessions, ...passwords].forEach((c) => c.close()),
  };
}

async function newUser(users: UserClient, adminToken: string, overrides: Record<string, unknown> = {}) {
  const request = humanUser(overrides);
  const userId = ok(await users.call("AddHumanUser", request, adminToken)).userId as string;
  return { userId, email: (request.email as { email: string }).email };
}

describe("three replicas on one PostgreSQL", () => {
  let replicas: Replicas;
  let c: ReturnType<typeof clientsOf>;
  beforeAll(async () => {
    replicas = await startReplicas(3, { LATCHKEY_MAX_PASSWORD_ATTEMPTS: "3", LATCHKEY_RATE_LIMIT_PER_ADDRESS: "0" });
    c = clientsOf(replicas);
  });
  afterAll(async () => {
    c.close();
    await replicas.stop();
  });

  it("bootstraps once although they started together", async () => {
    const dataDir = replicas.servers[0]!.dataDir;
    expect(await storeRows(dataDir, `SELECT event_type FROM events WHERE aggregate_type = 'org'`)).toEqual([{ event_type: "org.added" }]);
    expect(await storeRows(dataDir, `SELECT version FROM schema_migrations ORDER BY version`)).toEqual(
      MIGRATIONS.map((_, i) => ({ version: i + 1 })),
    );
    expect(await storeRows(dataDir, `SELECT token_id FROM api_tokens`)).toEqual([{ token_id: "bootstrap-admin" }]);
    // Each replica took the same organization as its default and accepts the same admin token.
    const owners = new Set<string>();
    for (const users of c.users) owners.add(ok(await users.call("AddHumanUser", humanUser(), replicas.adminToken)).details.resourceOwner);
    expect(owners.size).toBe(1);
  });

  it("lets exactly one of many concurrent redemptions of a reset code, spread over every replica, succeed", async () => {
    for (let round = 0; round < 2; round++) {
      const { userId } = await newUser(c.users[0]!, replicas.adminToken);
      const code = ok(
        await c.on(c.users, round + 1).call("PasswordReset", { userId, returnCode: {} }, replicas.adminToken),
      ).verificationCode;
      const results: CallResult[] = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          c.on(c.users, i).call("SetPassword", { userId, newPassword: { password: `Race-${i}-Passw0rd!` }, verificationCode: code }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (const r of results) if (!r.ok) expect([r.error.code, r.error.reason]).toEqual(["invalid_argument", "CODE_INVALID"]);
      const changes = await storeRows(
        replicas.servers[0]!.dataDir,
        `SELECT sequence FROM events WHERE aggregate_id = ? AND event_type = 'user.human.password.changed'`,
        [userId],
      );
      expect(changes).toHaveLength(1);
    }
  });

  it("counts a lockout across replicas and lifts it on any of them", async () => {
    const { userId } = await newUser(c.users[0]!, replicas.adminToken);
    const login = (i: number, password: string) =>
      c.on(c.sessions, i).call("CreateSession", { checks: { user: { userId }, password: { password } } });
    for (const attempt of [1, 2, 3]) {
      // Each failure on another replica than the one before.
      expect(failure(await login(attempt, "Wrong-Passw0rd!"), "invalid_argument", "LOGIN_FAILED").failedAttempts).toBe(attempt);
    }
    for (let i = 0; i < 3; i++) failure(await login(i, STRONG_PASSWORD), "failed_precondition", "USER_LOCKED");
    ok(await c.users[1]!.call("UnlockUser", { userId }, replicas.adminToken));
    for (let i = 0; i < 3; i++) ok(await login(i, STRONG_PASSWORD));
  });

  it("answers an unknown name with the same count on every replica", async () => {
    const login = (i: number) =>
      c
        .on(c.sessions, i)
        .call("CreateSession", { checks: { user: { loginName: "nobody-here@example.com" }, password: { password: "Wrong-Passw0rd!" } } });
    for (const attempt of [1, 2, 3]) expect(failure(await login(attempt), "invalid_argument", "LOGIN_FAILED").failedAttempts).toBe(attempt);
    failure(await login(0), "failed_precondition", "USER_LOCKED");
  });

  it("honours a session created on one replica on another, and ends it on all when the password changes on a third", async () => {
    const { userId } = await newUser(c.users[0]!, replicas.adminToken);
    const created = ok(
      await c.sessions[0]!.call("CreateSession", { checks: { user: { userId }, password: { password: STRONG_PASSWORD } } }),
    );
    const read = (i: number) => c.sessions[i]!.call("GetSession", { sessionId: created.sessionId, sessionToken: created.sessionToken });
    expect(ok(await read(1)).session.id).toBe(created.sessionId);
    // The session token authenticates the user on any replica.
    expect(ok(await c.users[2]!.call("GetUserByID", { userId }, created.sessionToken)).user.userId).toBe(userId);
    ok(await c.users[2]!.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD } }, replicas.adminToken));
    for (const i of [0, 1, 2]) failure(await read(i), "not_found", "SESSION_NOT_FOUND");
  });
  it("ends a session once when deletes race on every replica: one ends it, the others find it gone, none is Internal", async () => {
    const { userId } = await newUser(c.users[0]!, replicas.adminToken);
    for (let round = 0; round < 4; round++) {
      const created = ok(
        await c.sessions[0]!.call("CreateSession", { checks: { user: { userId }, password: { password: STRONG_PASSWORD } } }),
      );
      const deletes = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          c.on(c.sessions, i).call("DeleteSession", { sessionId: created.sessionId }, replicas.adminToken),
        ),
      );
      expect(deletes.filter((d) => d.ok)).toHaveLength(1);
      for (const d of deletes) if (!d.ok) expect([d.error.code, d.error.reason]).toEqual(["not_found", "SESSION_NOT_FOUND"]);
      const terminated = await storeRows<{ n: number }>(
        replicas.servers[0]!.dataDir,
        `SELECT COUNT(*) AS n FROM events WHERE aggregate_id = ? AND event_type = 'session.terminated'`,
        [created.sessionId],
      );
      expect(Number(terminated[0]!.n)).toBe(1);
    }
  });
});

describe("rate limits across replicas", () => {
  it("hold the limit, not once per replica", async () => {
    const replicas = await startReplicas(3, { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "6" });
    const c = clientsOf(replicas);
    try {
      const results = [];
      for (let i = 0; i < 15; i++)
        results.push(await c.on(c.passwords, i).call("RequestPasswordReset", { loginName: `someone-${i}@example.com` }));
      expect(results.filter((r) => r.ok)).toHaveLength(6);
      for (const r of results.slice(6)) failure(r, "resource_exhausted", "RATE_LIMITED");
    } finally {
      c.close();
      await replicas.stop();
    }
  });
});

describe("delivery from several replicas", () => {
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it("sends each reset mail and change notice exactly once", async () => {
    const replicas = await startReplicas(2, { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LATCHKEY_RESET_URL_ORIGINS: ORIGIN });
    const c = clientsOf(replicas);
    try {
      const people = await Promise.all(Array.from({ length: 6 }, () => newUser(c.users[0]!, replicas.adminToken)));
      // Every replica's worker is woken by the writes it makes; both look at the same rows.
      await Promise.all(
        people.map((p, i) =>
          c
            .on(c.users, i)
            .call("PasswordReset", { userId: p.userId, sendLink: { urlTemplate: `${ORIGIN}/r?code={{.Code}}` } }, replicas.adminToken),
        ),
      );
      for (const [i, p] of people.entries()) {
        const mail = await smtp.next((m) => mailTo(p.email)(m) && m.subject === "Reset your password");
        const { code } = codeFromLink(mail.text!);
        ok(
          await c
            .on(c.users, i + 1)
            .call("SetPassword", { userId: p.userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code }),
        );
      }
      for (const p of people) await smtp.next((m) => mailTo(p.email)(m) && m.subject === "Your password was changed");
      const rows = await storeRows<{ message_id: string; status: string }>(
        replicas.servers[0]!.dataDir,
        `SELECT message_id, status FROM outbox WHERE user_id IN (${people.map(() => "?").join(", ")})`,
        people.map((p) => p.userId),
      );
      expect(rows).toHaveLength(12);
      // Once every outcome is recorded no lease can run out: one mail per message, never two.
      await untilRows(replicas.servers[0]!.dataDir, `SELECT id FROM outbox WHERE status <> 'delivered'`, 0);
      const mine = smtp.messages.filter((m) => people.some((p) => mailTo(p.email)(m)));
      expect(mine).toHaveLength(12);
      expect(new Set(mine.map((m) => m.messageId)).size).toBe(12);
      expect(new Set(rows.map((r) => r.message_id))).toEqual(new Set(mine.map((m) => /^<([^@]+)@/.exec(m.messageId!)![1])));
    } finally {
      c.close();
      await replicas.stop();
    }
  });

  it("leaves the messages of a replica killed mid-delivery to another, which sends them when the lease runs out", async () => {
    // An SMTP server that takes the connection and never answers: the delivery hangs.
    const stalled: Socket[] = [];
    let connected!: () => void;
    const firstConnection = new Promise<void>((resolve) => (connected = resolve));
    const silent = createTcpServer((socket) => {
      stalled.push(socket);
      connected();
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const silentPort = (silent.address() as { port: number }).port;
    const lease = { LATCHKEY_OUTBOX_LEASE: "2s", LATCHKEY_RESET_URL_ORIGINS: ORIGIN };
    const replicas = await startReplicas(1, { ...lease, LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${silentPort}` });
    const doomed = replicas.servers[0]!;
    const users = createUserClient("grpc", doomed.baseUrl);
    let survivor: TestServer | undefined;
    try {
      const people = await Promise.all(Array.from({ length: 3 }, () => newUser(users, replicas.adminToken)));
      for (const p of people) ok(await users.call("PasswordReset", { userId: p.userId, sendLink: {} }, replicas.adminToken));
      await firstConnection; // the doomed replica has claimed the messages and is sending the first
      await doomed.stop("SIGKILL");
      const claimedAt = Date.now();
      survivor = await replicas.add({ ...lease, LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
      const mails = await Promise.all(people.map((p) => smtp.next((m) => mailTo(p.email)(m) && m.subject === "Reset your password")));
      expect(mails).toHaveLength(3);
      // Not before the dead replica's lease ran out.
      expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(1_000);
      await untilOutput(survivor, "message delivered", 3);
    } finally {
      users.close();
      await replicas.stop();
      for (const s of stalled) s.destroy();
      silent.close();
    }
  });
});

describe("a replica killed under write load", () => {
  it("loses no acknowledged write: each is read back through another replica", async () => {
    const replicas = await startReplicas(2);
    const [victim, other] = replicas.servers as [TestServer, TestServer];
    const viaVictim = createUserClient("grpc", victim.baseUrl);
    const viaOther = createUserClient("grpc", other.baseUrl);
    try {
      const acknowledged: string[] = [];
      let stop = false;
      const writers = Array.from({ length: 6 }, async () => {
        while (!stop) {
          const result = await viaVictim.call("AddHumanUser", humanUser(), replicas.adminToken);
          if (result.ok) acknowledged.push(result.body.userId as string);
          else return;
        }
      });
      while (acknowledged.length < 30) await new Promise((resolve) => setImmediate(resolve));
      await victim.stop("SIGKILL");
      stop = true;
      await Promise.all(writers);
      for (const userId of acknowledged)
        expect(ok(await viaOther.call("GetUserByID", { userId }, replicas.adminToken)).user.userId).toBe(userId);
    } finally {
      viaVictim.close();
      viaOther.close();
      await replicas.stop();
    }
  });
});

describe("starting a replica", () => {
  it("refuses another secret than the database was set up with, in one clear line", async () => {
    const replicas = await startReplicas(1);
    try {
      const wrong = replicas.add({ LATCHKEY_SECRET: "a-different-secret-for-this-replica-0123456789abcdef" });
      await expect(wrong).rejects.toThrow(/server secret differs from the one this database was set up with/);
    } finally {
      await replicas.stop();
    }
  });

  it("refuses to start on PostgreSQL without a configured secret", async () => {
    const { url } = await databaseFor(tempDataDir());
    const { code, stderr } = await runCli([], { LATCHKEY_DATABASE_URL: url, LATCHKEY_PORT: "0" });
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^latchkey: invalid configuration: LATCHKEY_SECRET is required with LATCHKEY_DATABASE_URL/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("gives up on an unreachable database after the configured time, saying so", async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const replicas = await startReplicas(1);
    try {
      const started = Date.now();
      const unreachable = replicas.add({
        LATCHKEY_DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${port}/none`,
        LATCHKEY_DATABASE_CONNECT_TIMEOUT: "1s",
      });
      await expect(unreachable).rejects.toThrow(/the database is unavailable: .*gave up after 1 s/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await replicas.stop();
    }
  });
});

describe("the PostgreSQL server restarted under load", () => {
  it("answers Unavailable during the outage, resumes by itself, and loses nothing acknowledged", async () => {
    const postgres = await startOwnPostgres();
    const database = { url: await freshDatabase(postgres.adminUrl), secret: randomBytes(32).toString("base64url") };
    const replicas = await startReplicas(2, {}, database);
    const c = clientsOf(replicas);
    const health = (i: number) => fetch(`${replicas.servers[i]!.baseUrl}/healthz`).then((r) => r.status);
    const grpcHealth = createRpcClient<"Check">("grpc", replicas.servers[1]!.baseUrl, Health);
    try {
      const acknowledged: string[] = [];
      const refusals = new Map<string, number>();
      let phase: "before" | "outage" | "after" = "before";
      let afterRestart = 0;
      let stop = false;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = w; !stop; i += 4) {
          const result = await c.on(c.users, i).call("AddHumanUser", humanUser(), replicas.adminToken);
          if (result.ok) {
            acknowledged.push(result.body.userId as string);
            if (phase === "after") afterRestart++;
          } else {
            refusals.set(result.error.code, (refusals.get(result.error.code) ?? 0) + 1);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      });
      const until = async (condition: () => boolean | Promise<boolean>) => {
        while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      await until(() => acknowledged.length >= 20);
      phase = "outage";
      await postgres.stop();
      await until(() => (refusals.get("unavailable") ?? 0) >= 4);
      expect(await health(0)).toBe(503);
      expect(ok(await grpcHealth.call("Check", {})).status).toBe("NOT_SERVING");
      await postgres.start();
      phase = "after";
      await until(() => afterRestart >= 20);
      await until(async () => (await health(1)) === 200);
      expect(ok(await grpcHealth.call("Check", {})).status).toBe("SERVING");
      stop = true;
      await Promise.all(writers);
      // Every failure in the outage was Unavailable: worth retrying, never Internal.
      expect([...refusals.keys()]).toEqual(["unavailable"]);
      for (const userId of acknowledged)
        expect(ok(await c.users[1]!.call("GetUserByID", { userId }, replicas.adminToken)).user.userId).toBe(userId);
    } finally {
      c.close();
      grpcHealth.close();
      await replicas.stop();
      await postgres.dispose();
    }
  });
});
